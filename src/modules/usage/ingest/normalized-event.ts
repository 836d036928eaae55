import type { Dec } from '../../../common/money/decimal';
import type { MetricDefinition } from '../../metric/metric-definition';
import type { Dimensions } from '../../rating/price-calculator';

/** A valid event, with its quantity rounded as the metric says. */
export interface NormalizedEvent {
  index: number;
  id: string;
  metric: MetricDefinition;
  rawQuantity: Dec;
  quantity: Dec;
  occurredAt: Date;
  periodStart: Date;
  team: string | null;
  project: string | null;
  user: string | null;
  /** Sorted keys, so equal sets compare equal as JSON. */
  dimensions: Dimensions;
  /** `dimensions` as JSON, made once: rollup cells and rate-card prices are keyed by it. */
  dimensionsJson: string;
}

export enum RejectionReason {
  INVALID_ID = 'INVALID_ID',
  UNKNOWN_METRIC = 'UNKNOWN_METRIC',
  INVALID_QUANTITY = 'INVALID_QUANTITY',
  INVALID_TIMESTAMP = 'INVALID_TIMESTAMP',
  TIMESTAMP_TOO_OLD = 'TIMESTAMP_TOO_OLD',
  TIMESTAMP_IN_FUTURE = 'TIMESTAMP_IN_FUTURE',
  INVALID_DIMENSIONS = 'INVALID_DIMENSIONS',
  INVALID_KEY = 'INVALID_KEY',
  MISSING_SESSION_KEY = 'MISSING_SESSION_KEY',
  MISSING_UNIQUE_KEY = 'MISSING_UNIQUE_KEY',
  UNPRICED_DIMENSIONS = 'UNPRICED_DIMENSIONS',
  HARD_LIMIT = 'HARD_LIMIT',
  BUDGET_EXHAUSTED = 'BUDGET_EXHAUSTED',
  /** An hour's or a day's cost would pass the spend controls' limit. */
  SPEND_LIMIT = 'SPEND_LIMIT',
  /** The event alone costs more than the spend controls allow one event. */
  PER_EVENT_LIMIT = 'PER_EVENT_LIMIT',
  RATE_LIMITED = 'RATE_LIMITED',
  PERIOD_CLOSED = 'PERIOD_CLOSED',
}

export interface Rejection {
  index: number;
  id: string | null;
  code: string;
  reason: RejectionReason;
  message: string;
  /** Seconds until the same event may be accepted (RATE_LIMITED, SPEND_LIMIT, BUDGET_EXHAUSTED); absent or null: waiting cannot help. */
  retryAfterSeconds?: number | null;
}
