/**
 * The events pushed to the platform's webhook endpoints (README: Webhooks). The names are
 * part of the public contract: a receiver branches on them, so one is never renamed.
 */
export enum PlatformEventType {
  INVOICE_ISSUED = 'invoice.issued',
  INVOICE_PAID = 'invoice.paid',
  INVOICE_PAYMENT_FAILED = 'invoice.payment_failed',
  INVOICE_OVERDUE = 'invoice.overdue',
  INVOICE_VOIDED = 'invoice.voided',
  SUBSCRIPTION_CHANGED = 'subscription.changed',
  PLAN_CHANGE_REQUESTED = 'plan_change.requested',
  PLAN_CHANGE_DECIDED = 'plan_change.decided',
  ALERT_TRIGGERED = 'alert.triggered',
  CREDITS_GRANTED = 'credits.granted',
}

export const PLATFORM_EVENT_TYPES: readonly PlatformEventType[] = Object.values(PlatformEventType);

const KNOWN = new Set<string>(PLATFORM_EVENT_TYPES);

export const isPlatformEventType = (type: string): type is PlatformEventType => KNOWN.has(type);
