import type { EntityManager } from 'typeorm';
import { namedStatement } from '../../common/database/pg-array';
import { PlatformEventType } from '../webhook/platform-event-type';
import { isoTimestamp, recordPlatformEventsOf } from '../webhook/platform-events';
import { InvoiceStatus } from './invoice-status';

/**
 * The `data` of every invoice event, built in SQL from an invoices row (or the RETURNING of
 * one) named `i`, so that one invoice and a whole close's worth read alike. Amounts are the
 * stored decimals as text, dates ISO in UTC.
 */
export function invoiceEventData(i: string): string {
  return `jsonb_build_object('invoice', jsonb_build_object(
      'id', ${i}.id, 'number', ${i}.number, 'status', ${i}.status::text, 'currency', ${i}.currency,
      'periodStart', ${isoTimestamp(`${i}.period_start`)}, 'periodEnd', ${isoTimestamp(`${i}.period_end`)},
      'subtotal', ${i}.subtotal::text, 'creditsApplied', ${i}.credits_applied::text, 'total', ${i}.total::text,
      'amountPaid', ${i}.amount_paid::text, 'amountDue', (${i}.total - ${i}.amount_paid)::text,
      'issuedAt', ${isoTimestamp(`${i}.issued_at`)}, 'dueDate', ${isoTimestamp(`${i}.due_date`)}, 'paidAt', ${isoTimestamp(`${i}.paid_at`)}))`;
}

/** The event a move to each status reports; UNCOLLECTIBLE (a write-off) and DRAFT report none. */
const EVENT_OF_STATUS: Partial<Record<InvoiceStatus, PlatformEventType>> = {
  [InvoiceStatus.OPEN]: PlatformEventType.INVOICE_ISSUED,
  [InvoiceStatus.PAID]: PlatformEventType.INVOICE_PAID,
  [InvoiceStatus.OVERDUE]: PlatformEventType.INVOICE_OVERDUE,
  [InvoiceStatus.VOID]: PlatformEventType.INVOICE_VOIDED,
};

export const invoiceEventOf = (status: InvoiceStatus): PlatformEventType | null => EVENT_OF_STATUS[status] ?? null;

const ONE = namedStatement(
  ['organizationId', 'id', 'type', 'extra', 'dedupKey'],
  (
    p,
  ) => `SELECT i.organization_id, ${p.type}::text AS type, ${invoiceEventData('i')} || ${p.extra}::jsonb AS data, ${p.dedupKey}::text AS dedup_key
            FROM invoices i WHERE i.organization_id = ${p.organizationId} AND i.id = ${p.id}`,
);

/**
 * Records `type` for one invoice as it now is in `tx`, with `extra` fields beside `invoice`
 * in its data (a payment failure's reason).
 */
export function recordInvoiceEvent(
  tx: EntityManager,
  invoice: { id: string; organizationId: string },
  type: PlatformEventType,
  extra: Record<string, unknown> = {},
  dedupKey: string | null = null,
): Promise<void> {
  return recordPlatformEventsOf(
    tx,
    ONE.text,
    ONE.values({ organizationId: invoice.organizationId, id: invoice.id, type, extra: JSON.stringify(extra), dedupKey }),
  );
}
