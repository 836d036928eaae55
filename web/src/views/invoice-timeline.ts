import { request } from '../api';
import { h } from '../dom';
import { dateTime } from '../format';
import { InvoiceTimelineDocument, type InvoiceTimelineQuery } from '../generated/graphql';
import type { Session } from '../session';

type Entry = NonNullable<InvoiceTimelineQuery['invoice']>['timeline'][number];
type Delivery = NonNullable<Entry['deliveries']>[number];

const EVENT_LABEL: Record<string, string> = {
  'invoice.issued': 'Issued',
  'invoice.payment_failed': 'Payment failed',
  'invoice.overdue': 'Overdue',
  'invoice.paid': 'Paid',
  'invoice.voided': 'Voided',
};

const DELIVERY_LABEL: Record<string, string> = {
  PENDING: 'pending',
  DELIVERED: 'delivered',
  FAILED: 'failed',
  CANCELED: 'canceled',
};

function delivery(d: Delivery) {
  const attempts = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  const detail = d.deliveredAt ? `, ${dateTime(d.deliveredAt)}` : d.lastError ? `: ${d.lastError}` : '';
  return h(
    'li',
    { class: 'delivery', 'data-delivery-status': d.status },
    `${d.endpointUrl} — ${DELIVERY_LABEL[d.status] ?? d.status} (${attempts})${detail}`,
  );
}

function entry(e: Entry) {
  // Deliveries are null for tenant roles: the endpoints are the platform's.
  const deliveries = e.deliveries;
  return h(
    'li',
    { 'data-event': e.type },
    h('span', { class: 'event' }, EVENT_LABEL[e.type] ?? e.type),
    ' ',
    h('time', { datetime: e.at }, dateTime(e.at)),
    e.paymentError && h('span', { class: 'muted' }, ` — ${e.paymentError}`),
    deliveries &&
      (deliveries.length
        ? h('ul', { class: 'deliveries', 'aria-label': 'Webhook deliveries' }, ...deliveries.map(delivery))
        : h('p', { class: 'muted' }, 'No webhook endpoint takes this event.')),
  );
}

/**
 * An invoice row's disclosure: a button that opens a row under it with the invoice's timeline,
 * fetched when first opened (a page of invoices does not pay for timelines nobody looks at).
 */
export function invoiceTimeline(session: Session, invoice: { id: string; number: string }, columns: number) {
  const cell = h('td', { colspan: columns });
  const row = h('tr', { class: 'timeline-row', id: `timeline-${invoice.id}`, hidden: true }, cell);
  const button = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      'aria-expanded': 'false',
      'aria-controls': row.id,
      'aria-label': `Timeline of invoice ${invoice.number}`,
    },
    'Timeline',
  );

  const load = async () => {
    cell.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const { invoice: found } = await request(session.key, InvoiceTimelineDocument, { id: invoice.id });
      const timeline = found?.timeline ?? [];
      cell.replaceChildren(
        timeline.length
          ? h('ol', { class: 'timeline', 'aria-label': `Timeline of invoice ${invoice.number}` }, ...timeline.map(entry))
          : h('p', { class: 'muted' }, 'Nothing has happened to this invoice yet.'),
      );
    } catch (err) {
      cell.replaceChildren(h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    }
  };

  button.addEventListener('click', () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    row.hidden = !open;
    if (open) void load(); // fresh on each opening: a payment may have come in since
  });
  return { button, row };
}
