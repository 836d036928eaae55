import type { DataSource } from 'typeorm';
import { namedStatement } from '../../common/database/pg-array';
import { PlatformEventType } from '../webhook/platform-event-type';
import type { InvoiceEventDelivery, InvoiceTimelineEntry } from './dto/invoice-timeline.types';
import type { InvoiceStatus } from './invoice-status';

/** An invoice as the timeline loader takes it: its organisation keeps the lookup on the invoice's shard. */
export interface InvoiceKey {
  id: string;
  organizationId: string;
}

/** An event of a timeline with what its deliveries are looked up by. */
export interface TimelineEvent extends InvoiceTimelineEntry {
  organizationId: string;
}

/** Events of one transaction share their time: they are told in the order an invoice lives them. */
const LIFE_ORDER = [
  PlatformEventType.INVOICE_ISSUED,
  PlatformEventType.INVOICE_PAYMENT_FAILED,
  PlatformEventType.INVOICE_OVERDUE,
  PlatformEventType.INVOICE_PAID,
  PlatformEventType.INVOICE_VOIDED,
];

// The expression and predicate are those of ix_webhook_events_invoice, so that the index serves it.
const EVENTS = namedStatement(
  ['organizations', 'invoices', 'order'],
  (p) => `SELECT e.id, e.organization_id AS "organizationId", k.invoice_id AS "invoiceId", e.type, e.created_at AS at,
         e.data #>> '{invoice,status}' AS "invoiceStatus", e.data #>> '{payment,error}' AS "paymentError"
    FROM unnest(${p.organizations}::uuid[], ${p.invoices}::text[]) AS k(organization_id, invoice_id)
    JOIN webhook_events e ON e.organization_id = k.organization_id AND e.data #>> '{invoice,id}' = k.invoice_id AND e.data ? 'invoice'
   ORDER BY e.created_at, array_position(${p.order}::text[], e.type), e.id`,
);

/** The timelines of a batch of invoices, in one query; each in the order it happened. */
export async function loadInvoiceTimelines(db: DataSource, keys: readonly InvoiceKey[]): Promise<TimelineEvent[][]> {
  const rows = await db.query<Array<TimelineEvent & { invoiceId: string; invoiceStatus: InvoiceStatus }>>(
    EVENTS.text,
    EVENTS.values({ organizations: keys.map((k) => k.organizationId), invoices: keys.map((k) => k.id), order: LIFE_ORDER }),
  );
  const byInvoice = new Map<string, TimelineEvent[]>(keys.map((k) => [k.id, []]));
  for (const { invoiceId, ...event } of rows) byInvoice.get(invoiceId)?.push(event);
  return keys.map((k) => byInvoice.get(k.id) ?? []);
}

const DELIVERIES = namedStatement(
  ['organizations', 'events'],
  (p) => `SELECT d.id, d.event_id AS "eventId", d.endpoint_id AS "endpointId", w.url AS "endpointUrl", d.status::text AS status,
         d.attempts, d.last_error AS "lastError", d.delivered_at AS "deliveredAt"
    FROM unnest(${p.organizations}::uuid[], ${p.events}::uuid[]) AS k(organization_id, event_id)
    JOIN webhook_deliveries d ON d.organization_id = k.organization_id AND d.event_id = k.event_id
    JOIN webhook_endpoints w ON w.id = d.endpoint_id
   ORDER BY d.seq`,
);

/** The deliveries of a batch of events, in one query; each event's in the order they were queued. */
export async function loadEventDeliveries(
  db: DataSource,
  events: readonly { id: string; organizationId: string }[],
): Promise<InvoiceEventDelivery[][]> {
  const rows = await db.query<Array<InvoiceEventDelivery & { eventId: string }>>(
    DELIVERIES.text,
    DELIVERIES.values({ organizations: events.map((e) => e.organizationId), events: events.map((e) => e.id) }),
  );
  const byEvent = new Map<string, InvoiceEventDelivery[]>(events.map((e) => [e.id, []]));
  for (const { eventId, ...delivery } of rows) byEvent.get(eventId)?.push(delivery);
  return events.map((e) => byEvent.get(e.id) ?? []);
}
