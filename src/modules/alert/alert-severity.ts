import { registerEnumType } from 'type-graphql';

export enum AlertSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(AlertSeverity, { name: 'AlertSeverity' });

/** What a rule measures. */
export enum AlertRuleKind {
  /** A metric's period usage, as a share of its plan limit or as a quantity. */
  USAGE = 'USAGE',
  /** The period's usage cost, as a share of the plan's monthly budget or as an amount. */
  COST = 'COST',
}

/** The time a rule measures over; it fires at most once per window. */
export enum AlertWindow {
  PERIOD = 'PERIOD',
  HOUR = 'HOUR',
  DAY = 'DAY',
  /** The projected period-end cost (projected overage), checked with each billing cycle. */
  FORECAST = 'FORECAST',
}
registerEnumType(AlertWindow, {
  name: 'AlertWindow',
  description:
    'PERIOD: the billing month. HOUR and DAY: spend limits per hour and per day, on cost rules with an amount. FORECAST: the projected period-end cost crossing the threshold (projected overage), on cost rules.',
});
