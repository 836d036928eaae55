import { registerEnumType } from 'type-graphql';
import { registerWireEnum } from '../../common/graphql/wire-enum';

export enum AlertSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}
registerEnumType(AlertSeverity, {
  name: 'AlertSeverity',
  description: 'How urgent an alert is; a rule gives it to the alerts it fires.',
  valuesConfig: {
    INFO: { description: 'Worth knowing, e.g. half of the budget spent.' },
    WARNING: { description: 'Needs attention soon, e.g. 80 % of a limit used, or an invoice overdue.' },
    CRITICAL: { description: 'Needs action now, e.g. a limit nearly or fully used, or a payment failed.' },
  },
});

/** What a fired alert is about. Call sites may pass the strings themselves (`${AlertKind}`), checked against it. */
export enum AlertKind {
  USAGE = 'usage',
  COST = 'cost',
  SPEND = 'spend',
  FORECAST = 'forecast',
  PAYMENT_FAILED = 'payment_failed',
  INVOICE_OVERDUE = 'invoice_overdue',
  PLAN_CHANGE = 'plan_change',
}
export const AlertKindType = registerWireEnum(AlertKind, {
  name: 'AlertKind',
  description: 'What an alert is about; the values are the lowercase strings this field has always returned.',
  values: {
    USAGE: "A metric's usage in the period reached a usage rule's threshold.",
    COST: "The period's usage cost reached a cost rule's threshold.",
    SPEND: "An hour's or a day's spend reached the amount of an HOUR or DAY rule.",
    FORECAST: "The period-end cost projected by the forecast passes a FORECAST rule's threshold.",
    PAYMENT_FAILED: "Charging an invoice to the organisation's card failed.",
    INVOICE_OVERDUE: 'An invoice is past its due date and not paid.',
    PLAN_CHANGE: 'A plan-change request was made, or decided (approved or rejected).',
  },
});

/** Where a rule's alerts are delivered. */
export enum AlertChannel {
  IN_APP = 'in_app',
  EMAIL = 'email',
  WEBHOOK = 'webhook',
  SMS = 'sms',
}
export const AlertChannelType = registerWireEnum(AlertChannel, {
  name: 'AlertChannel',
  description: "Where a rule's alerts are delivered; the values are the lowercase strings rules have always listed.",
  values: {
    IN_APP: 'The alerts list and the alertTriggered subscription; every rule has it.',
    EMAIL: "An email to each of the organisation's billing contacts (setBillingContact).",
    WEBHOOK: "A signed POST to the organisation's alert webhook (setAlertWebhook).",
    SMS: "A text message to the organisation's SMS recipients (setAlertSmsRecipients), through the SMS provider.",
  },
});

/** What a rule measures (not in the API: a rule with a metric measures usage, one without measures cost). */
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
  valuesConfig: {
    PERIOD: { description: 'The billing period (a calendar month, UTC): fires at most once a period. The default.' },
    HOUR: { description: 'Each clock hour (UTC): a cost rule with thresholdAmount, fires at most once an hour.' },
    DAY: { description: 'Each day (UTC): a cost rule with thresholdAmount, fires at most once a day.' },
    FORECAST: {
      description: 'The period-end cost the forecast projects, checked with each billing cycle: a cost rule without team or project.',
    },
  },
});
