/**
 * Why the API refused an event or closed an entitlement, as a sentence a
 * customer understands. Covers every rejection and entitlement reason; one the
 * dashboard does not know yet is shown as the API names it.
 */
const REASONS: Record<string, string> = {
  // The plan does not allow the usage at all (NOT_ENTITLED).
  NOT_IN_PLAN: 'Your plan does not include this.',
  DIMENSION_NOT_ALLOWED: 'Your plan allows this only for some values (for example, certain connectors or models).',
  FEATURE_DISABLED: 'This is turned off for your organisation, or needs a feature your plan does not include.',
  // Limits that block (QUOTA_EXCEEDED, RATE_LIMITED).
  HARD_LIMIT: "The plan's limit for this period is reached; more is refused until the next period.",
  QUOTA_EXCEEDED: "The plan's limit for this period is reached; more is refused until the next period.",
  BUDGET_EXHAUSTED: "This period's spending reached the budget, which pauses usage.",
  SPEND_LIMIT: 'The hourly or daily spending limit is reached: nothing more may be spent until it resets.',
  PER_EVENT_LIMIT: 'This one request would cost more than the most allowed per request.',
  RATE_LIMITED: 'Too many requests in a short time; retry a little later.',
  ACCOUNT_CLOSED: 'The account is closed or its subscription ended.',
  // The event itself was wrong (BAD_USER_INPUT).
  UNKNOWN_METRIC: 'No such metric exists.',
  UNPRICED_DIMENSIONS: 'The plan has no price for these details (for example, this model).',
  PERIOD_CLOSED: 'That billing period is closed and invoiced.',
  INVALID_ID: 'The event had no usable id.',
  INVALID_QUANTITY: 'The quantity was not a valid amount.',
  INVALID_TIMESTAMP: 'The time was not valid.',
  TIMESTAMP_TOO_OLD: 'The event was too old to record.',
  TIMESTAMP_IN_FUTURE: 'The event was dated in the future.',
  INVALID_DIMENSIONS: 'The event details were malformed.',
  INVALID_KEY: 'A team, project or user name was not valid.',
  MISSING_SESSION_KEY: 'The event did not say which conversation it belongs to.',
  MISSING_UNIQUE_KEY: 'The event did not say what it counts (for example, which user).',
};

export function explainReason(reason: string): string {
  return REASONS[reason] ?? `Refused (${reason}).`;
}
