import Decimal from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeISOResolver, JSONResolver } from 'graphql-scalars';
import { ErrorCode } from '../errors/error-code';
import { isDecimalText } from '../money/decimal';
import { decimalTextProblem, truncateInput, WIDEST_BOUNDS } from '../money/decimal-bounds';

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** Already in the form toFixed() writes: no leading zeros, no trailing fractional zeros, no "-0". */
const CANONICAL_DECIMAL = /^(?:0|-?[1-9]\d*)(?:\.\d*[1-9])?$|^-0\.\d*[1-9]$/;

/**
 * Input: decimal texts within the widest bounds are normalised; any other text
 * passes unchanged (unexpanded: "1e16000000" stays ten characters) and is
 * refused where it is used (parseBoundedDecimal), so that one bad event of a
 * batch is rejected on its own instead of failing the whole request.
 */
function parseDecimal(value: unknown): string {
  // Whatever else a variable holds (a number beyond a double, 1e400, arrives as Infinity; true; an object) goes on as
  // text to be refused where it is used: an event's quantity on its own, not the whole batch.
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') return typeof value === 'number' ? String(value) : truncateInput(String(JSON.stringify(value)));
  if (decimalTextProblem(value, WIDEST_BOUNDS) !== null) return value;
  // Batches carry thousands of quantities; most are canonical and need no Decimal to normalise them.
  return CANONICAL_DECIMAL.test(value) ? value : new Decimal(value.trim()).toFixed();
}

function toDecimalString(value: unknown): string {
  if (typeof value === 'string' && isDecimalText(value)) return new Decimal(value.trim()).toFixed();
  // JSON numbers arrive as JS numbers; their shortest text is the decimal the client wrote.
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(String(value)).toFixed();
  throw new GraphQLError(`Decimal must be a decimal number written as a string, got ${truncateInput(String(JSON.stringify(value)))}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT },
  });
}

/** Exact decimal numbers travel as strings ("0.00025") and are never JS floats. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'A decimal number as a string, e.g. "0.00025"; exact, never a float. Inputs are bounded by class: quantities 18 digits before the point and 20 after, prices 15 and 12, money amounts 15 and 4, percentages 4 and 12 (OUT_OF_RANGE past them).',
  // Output keeps the text it is given, so money shows its minor units ("10.00").
  serialize: (value) => (typeof value === 'string' && PLAIN_DECIMAL.test(value) ? value : toDecimalString(value)),
  parseValue: (value) => parseDecimal(value),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string or number literal', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  },
});

const dateTimeConfig = DateTimeISOResolver.toConfig();

/** A variable that is not a timestamp: refused where it is used (`hasInvalidDate`), an event's on its own. */
const NOT_A_TIMESTAMP = (): Date => new Date(Number.NaN);

const isInvalidDate = (value: unknown): value is Date => value instanceof Date && Number.isNaN(value.getTime());

/** Whether arguments hold, at any depth, a variable the DateTime scalar could not read. */
export function hasInvalidDate(value: unknown): boolean {
  if (isInvalidDate(value)) return true;
  if (Array.isArray(value)) return value.some(hasInvalidDate);
  return typeof value === 'object' && value !== null && !(value instanceof Date) && Object.values(value).some(hasInvalidDate);
}

/**
 * ISO 8601 timestamps in UTC; named `DateTime` as the contract fixes. A variable that is no timestamp becomes an
 * invalid Date instead of failing the request: recordUsage rejects that event alone, every other operation refuses
 * it with BAD_USER_INPUT before its resolver runs (app/build-schema.ts).
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...dateTimeConfig,
  parseValue: (value) => {
    try {
      return dateTimeConfig.parseValue!(value);
    } catch {
      return NOT_A_TIMESTAMP();
    }
  },
  name: 'DateTime',
  description: 'An ISO 8601 timestamp in UTC, e.g. "2026-01-31T23:59:59.000Z".',
  specifiedByURL: 'https://scalars.graphql.org/chillicream/date-time.html',
});

export const JSONScalar = new GraphQLScalarType({ ...JSONResolver.toConfig(), name: 'JSON' });
