import { CommonError, CommonErrorReason } from '../errors/common-error';
import { Dec } from './decimal';

/**
 * The range and precision of a decimal input: at most `integerDigits` digits
 * before the point and `decimals` after it (signs are each field's own rule).
 * Every decimal the API accepts is held to one of the sets below, on its text,
 * before any Decimal is built: "1e16000000" is ten characters whose value
 * would take 16 MB to write out.
 */
export interface DecimalBounds extends ColumnBounds {
  readonly name: string;
  readonly decimals: number;
}

/** What a stored numeric column may hold: its integer digits, and its decimals when they are an input's. */
export interface ColumnBounds {
  readonly integerDigits: number;
  readonly decimals?: number;
}

/**
 * Event and estimate quantities, included amounts, limits, package sizes, tier bounds, event rounding, absolute
 * thresholds. 20 decimals: producers send fractions such as minutes in hours (2/60 written to 20 places).
 */
export const QUANTITY_BOUNDS: DecimalBounds = { name: 'quantity', integerDigits: 18, decimals: 20 };
/** Unit, package, flat and dimension prices: sub-cent prices per unit need the decimals. */
export const PRICE_BOUNDS: DecimalBounds = { name: 'price', integerDigits: 15, decimals: 12 };
/** Amounts of money (base prices, budgets, credits): 4 decimals is the finest minor unit ISO 4217 has. */
export const MONEY_BOUNDS: DecimalBounds = { name: 'amount', integerDigits: 15, decimals: 4 };
/** Percentages of a limit or budget. */
export const PERCENT_BOUNDS: DecimalBounds = { name: 'percentage', integerDigits: 4, decimals: 12 };

/** The widest of the sets: what the Decimal scalar normalises; anything past it is left for the field to refuse. */
export const WIDEST_BOUNDS: DecimalBounds = { name: 'decimal', integerDigits: 18, decimals: 20 };

/**
 * Stored sums and costs (usage totals, rollups, invoice figures, alert values): products and sums of bounded
 * inputs, with room for millions of the largest events; their decimals are whatever the arithmetic gives.
 */
export const TOTAL_BOUNDS: ColumnBounds = { integerDigits: 40 };

/** The SQL of a table's CHECK that holds each numeric column to its bounds (NULL passes). */
export function boundsCheck(columns: Readonly<Record<string, ColumnBounds>>): string {
  return Object.entries(columns)
    .map(
      ([column, b]) =>
        `abs("${column}") < 1e${b.integerDigits}${b.decimals === undefined ? '' : ` AND scale("${column}") <= ${b.decimals}`}`,
    )
    .join(' AND ');
}

/** Longer texts are refused unread: the widest in-range value needs 40 characters, padding aside. */
export const MAX_DECIMAL_TEXT = 64;

const PARTS = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const NUMBER_START = /^\s*[+-]?\.?\d/;
const NONZERO = /[1-9]/;

export enum DecimalTextProblem {
  NOT_A_NUMBER = 'NOT_A_NUMBER',
  OUT_OF_RANGE = 'OUT_OF_RANGE',
}

/** What is wrong with a decimal text for the bounds, or null; reads the text only, never builds a Decimal. */
export function decimalTextProblem(value: string, bounds: DecimalBounds): DecimalTextProblem | null {
  if (value.length > MAX_DECIMAL_TEXT) return NUMBER_START.test(value) ? DecimalTextProblem.OUT_OF_RANGE : DecimalTextProblem.NOT_A_NUMBER;
  const match = PARTS.exec(value.trim());
  if (!match) return DecimalTextProblem.NOT_A_NUMBER;
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (whole.length + fraction.length === 0) return DecimalTextProblem.NOT_A_NUMBER;
  const digits = whole + fraction;
  const first = digits.search(NONZERO);
  if (first === -1) return null; // zero, whatever its exponent
  let last = digits.length - 1;
  while (digits[last] === '0') last--;
  const exponentText = match[3] ?? '0';
  // Seven exponent digits already place a nonzero digit millions of places from the point.
  if (exponentText.replace(/^[+-]/, '').replace(/^0+/, '').length > 6) return DecimalTextProblem.OUT_OF_RANGE;
  const point = whole.length + Number(exponentText);
  const integerDigits = point - first;
  const decimals = last + 1 - point;
  return integerDigits > bounds.integerDigits || decimals > bounds.decimals ? DecimalTextProblem.OUT_OF_RANGE : null;
}

/** An input as an error message may show it: never more than 40 characters of it. */
export const truncateInput = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** An input quoted for an error message, truncated. */
export const quoteInput = (value: string): string => JSON.stringify(truncateInput(value));

/** The bounds in words, for messages and documentation. */
export const describeBounds = (bounds: DecimalBounds): string =>
  `at most ${bounds.integerDigits} digits before the point and ${bounds.decimals} after it`;

/**
 * A Decimal argument of the API, checked where it is used (the scalar lets
 * other texts through, so that one bad event of a batch is rejected alone):
 * INVALID_ARGUMENT when it is no number, OUT_OF_RANGE when past its bounds.
 */
export function parseBoundedDecimal(value: string, field: string, bounds: DecimalBounds): Dec {
  const problem = decimalTextProblem(value, bounds);
  if (problem === DecimalTextProblem.NOT_A_NUMBER) {
    throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `${field} must be a decimal number, got ${quoteInput(value)}`);
  }
  if (problem === DecimalTextProblem.OUT_OF_RANGE) {
    throw new CommonError(CommonErrorReason.OUT_OF_RANGE, `${field} must have ${describeBounds(bounds)}, got ${quoteInput(value)}`, {
      bounds: bounds.name,
    });
  }
  return new Dec(value.trim());
}
