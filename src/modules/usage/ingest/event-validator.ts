import { Dec } from '../../../common/money/decimal';
import { decimalTextProblem, DecimalTextProblem, describeBounds, QUANTITY_BOUNDS, quoteInput } from '../../../common/money/decimal-bounds';
import { monthPeriod, type Period } from '../../../common/time/billing-period';
import { ErrorCode } from '../../../common/errors/error-code';
import { OrganizationService } from '../../organization/organization.service';
import type { MetricDefinition } from '../../metric/metric-definition';
import type { Dimensions } from '../../rating/price-calculator';
import { RejectionReason, type NormalizedEvent, type Rejection } from './normalized-event';

export interface RawUsageEvent {
  id: string;
  metric: string;
  quantity?: string | null;
  timestamp?: Date | null;
  team?: string | null;
  project?: string | null;
  user?: string | null;
  dimensions?: unknown;
}

export const MAX_AGE_MS = 35 * 24 * 3600 * 1000;
export const MAX_AHEAD_MS = 5 * 60 * 1000;
export const MAX_ID_LENGTH = 255;
const DIMENSION_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;
const MAX_DIMENSIONS = 20;
const MAX_DIMENSION_TEXT = 200;
/** How much of a refused value a message quotes: a 10 MB id is not sent back. */
const MAX_QUOTED = 64;

/** NUL, or any UTF-16 surrogate: most texts hold neither, and this one scan settles them. */
const NUL_OR_SURROGATE = /[\0\uD800-\uDFFF]/;
const NUL_OR_LONE_SURROGATE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether PostgreSQL stores the text as it is: it refuses NUL in text and jsonb, and a lone
 * surrogate is refused by jsonb and written as U+FFFD in text (so two ids would become one).
 */
export function isStorableText(value: string): boolean {
  return !NUL_OR_SURROGATE.test(value) || !NUL_OR_LONE_SURROGATE.test(value);
}

/** A refused value as a message quotes it: cut short, with its control characters and lone surrogates escaped. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value);
}

const reject = (index: number, id: string | null, reason: RejectionReason, message: string): Rejection => ({
  index,
  id,
  code: ErrorCode.BAD_USER_INPUT,
  reason,
  message,
});

/** A field or dimension of the event, as text: what UNIQUE_COUNT and sessions key on. */
export function eventKeyValue(event: Pick<NormalizedEvent, 'team' | 'project' | 'user' | 'dimensions'>, key: string): string | null {
  if (key === 'team' || key === 'project' || key === 'user') return event[key];
  // Own keys only: a metric keyed by "constructor" must not find Object's.
  return Object.hasOwn(event.dimensions, key) ? String(event.dimensions[key]) : null;
}

/** A check that remembers the values that passed it: a batch repeats a few keys many times. */
function rememberPasses(test: (value: string) => boolean): (value: string) => boolean {
  const passed = new Set<string>();
  return (value) => {
    if (passed.has(value)) return true;
    if (!test(value)) return false;
    if (passed.size >= 10_000) passed.clear();
    passed.add(value);
    return true;
  };
}

const isValidDimensionKey = rememberPasses((key) => DIMENSION_KEY.test(key));
const isValidKey = rememberPasses((key) => OrganizationService.isValidKey(key));

export function normalizeDimensions(value: unknown): Dimensions | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return 'dimensions must be a JSON object';
  const keys = Object.keys(value);
  if (keys.length > MAX_DIMENSIONS) return `at most ${MAX_DIMENSIONS} dimensions`;
  const record = value as Record<string, unknown>;
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = record[key];
    // "__proto__" would set the prototype of the ordered copy below instead of a key.
    if (!isValidDimensionKey(key) || key === '__proto__') return `${quoted(key)} is not a valid dimension key`;
    const type = typeof v;
    if (
      (type !== 'string' && type !== 'number' && type !== 'boolean') ||
      (type === 'string' && (v as string).length > MAX_DIMENSION_TEXT) ||
      // JSON's 1e400 parses as Infinity, which JSON.stringify would store as null.
      (type === 'number' && !Number.isFinite(v))
    ) {
      return `dimension "${key}" must be a string (up to ${MAX_DIMENSION_TEXT} characters), number or boolean`;
    }
    if (type === 'string' && !isStorableText(v as string)) return `dimension "${key}" holds NUL or a lone surrogate`;
    if (i > 0 && keys[i - 1]! > key) sorted = false;
  }
  if (sorted) return record as Dimensions;
  // Sorted in place: Array.prototype.sort's working copies were an eighth of everything a batch allocated.
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  const ordered: Record<string, unknown> = {};
  for (const key of keys) ordered[key] = record[key];
  return ordered as Dimensions;
}

/** The month of the last event seen: a batch's events fall in one or two months, and two Dates per event add up. */
let lastMonth: Period = monthPeriod(new Date(0));

function monthStart(at: Date): Date {
  const t = at.getTime();
  if (t < lastMonth.start.getTime() || t >= lastMonth.end.getTime()) lastMonth = monthPeriod(at);
  return lastMonth.start;
}

/**
 * Checks each event on its own: a bad one is rejected with its index, the
 * others go on. Pure; `now` is the organisation's clock.
 */
export function validateEvent(
  input: RawUsageEvent,
  index: number,
  metrics: ReadonlyMap<string, MetricDefinition>,
  now: Date,
): NormalizedEvent | Rejection {
  const id = typeof input.id === 'string' ? input.id : '';
  if (id.length === 0 || id.length > MAX_ID_LENGTH) {
    return reject(index, null, RejectionReason.INVALID_ID, `id must be 1 to ${MAX_ID_LENGTH} characters`);
  }
  if (!isStorableText(id)) return reject(index, id, RejectionReason.INVALID_ID, 'id must not hold NUL or a lone surrogate');
  const metric = metrics.get(input.metric);
  if (!metric) return reject(index, id, RejectionReason.UNKNOWN_METRIC, `No metric has the code ${quoted(input.metric)}`);

  const quantityText = input.quantity ?? '1';
  const quantityProblem =
    typeof quantityText === 'string' ? decimalTextProblem(quantityText, QUANTITY_BOUNDS) : DecimalTextProblem.NOT_A_NUMBER;
  if (quantityProblem === DecimalTextProblem.NOT_A_NUMBER)
    return reject(index, id, RejectionReason.INVALID_QUANTITY, `quantity ${quoteInput(String(quantityText))} is not a number`);
  if (quantityProblem === DecimalTextProblem.OUT_OF_RANGE) {
    const message = `quantity must have ${describeBounds(QUANTITY_BOUNDS)}, got ${quoteInput(quantityText)}`;
    return reject(index, id, RejectionReason.INVALID_QUANTITY, message);
  }
  const rawQuantity = new Dec(quantityText.trim());
  if (rawQuantity.isNegative()) {
    return reject(index, id, RejectionReason.INVALID_QUANTITY, 'quantity must be a finite number of at least 0');
  }

  const occurredAt = input.timestamp ?? now;
  if (Number.isNaN(occurredAt.getTime()))
    return reject(index, id, RejectionReason.INVALID_TIMESTAMP, 'timestamp is not an ISO 8601 timestamp');
  if (occurredAt.getTime() < now.getTime() - MAX_AGE_MS) {
    return reject(index, id, RejectionReason.TIMESTAMP_TOO_OLD, 'timestamp is more than 35 days old');
  }
  if (occurredAt.getTime() > now.getTime() + MAX_AHEAD_MS) {
    return reject(index, id, RejectionReason.TIMESTAMP_IN_FUTURE, 'timestamp is more than 5 minutes ahead');
  }

  const dimensions = normalizeDimensions(input.dimensions);
  if (typeof dimensions === 'string') return reject(index, id, RejectionReason.INVALID_DIMENSIONS, dimensions);

  for (const field of ['team', 'project', 'user'] as const) {
    const value = input[field];
    if (value != null && !isValidKey(value)) {
      return reject(index, id, RejectionReason.INVALID_KEY, `${field} ${quoted(value)} is not a valid key`);
    }
  }

  const quantity = metric.eventRounding ? rawQuantity.div(metric.eventRounding).ceil().times(metric.eventRounding) : rawQuantity;
  const event: NormalizedEvent = {
    index,
    id,
    metric,
    rawQuantity,
    quantity,
    occurredAt,
    periodStart: monthStart(occurredAt),
    team: input.team ?? null,
    project: input.project ?? null,
    user: input.user ?? null,
    dimensions,
    dimensionsJson: JSON.stringify(dimensions),
  };
  if (metric.sessionKey && eventKeyValue(event, metric.sessionKey) === null) {
    return reject(
      index,
      id,
      RejectionReason.MISSING_SESSION_KEY,
      `Sessions of "${metric.code}" are keyed by "${metric.sessionKey}", which the event lacks`,
    );
  }
  if (metric.uniqueBy && eventKeyValue(event, metric.uniqueBy) === null) {
    return reject(
      index,
      id,
      RejectionReason.MISSING_UNIQUE_KEY,
      `"${metric.code}" counts distinct "${metric.uniqueBy}", which the event lacks`,
    );
  }
  return event;
}
