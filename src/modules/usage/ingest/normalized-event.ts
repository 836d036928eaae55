import type { ErrorCode } from '../../../common/errors/error-code';
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
  /** NOT_ENTITLED: the organisation's plan has no charge for the metric (or it has no plan). */
  NOT_IN_PLAN = 'NOT_IN_PLAN',
  /** NOT_ENTITLED: a dimension value outside the charge's allow-list, or a listed dimension missing. */
  DIMENSION_NOT_ALLOWED = 'DIMENSION_NOT_ALLOWED',
  /** NOT_ENTITLED: the metric is withdrawn by an override, or the feature gating its charge is off. */
  FEATURE_DISABLED = 'FEATURE_DISABLED',
  HARD_LIMIT = 'HARD_LIMIT',
  BUDGET_EXHAUSTED = 'BUDGET_EXHAUSTED',
  /** An hour's or a day's cost would pass the spend controls' limit. */
  SPEND_LIMIT = 'SPEND_LIMIT',
  /** The event alone costs more than the spend controls allow one event. */
  PER_EVENT_LIMIT = 'PER_EVENT_LIMIT',
  RATE_LIMITED = 'RATE_LIMITED',
  PERIOD_CLOSED = 'PERIOD_CLOSED',
}

/** The codes a rejected event carries: the GraphQL enum RejectionCode (dto/record-usage.types.ts) lists each. */
export type RejectionCode = ErrorCode.BAD_USER_INPUT | ErrorCode.QUOTA_EXCEEDED | ErrorCode.RATE_LIMITED | ErrorCode.NOT_ENTITLED;

export interface Rejection {
  index: number;
  id: string | null;
  code: RejectionCode;
  reason: RejectionReason;
  message: string;
  /** Seconds until the same event may be accepted (RATE_LIMITED, SPEND_LIMIT, BUDGET_EXHAUSTED); absent or null: waiting cannot help. */
  retryAfterSeconds?: number | null;
}
