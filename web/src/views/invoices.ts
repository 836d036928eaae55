import { fetchPdf, request } from '../api';
import { byId, h, showError } from '../dom';
import { date, money, period } from '../format';
import { InvoicesDocument, type InvoicesQuery, type InvoiceStatus } from '../generated/graphql';
import type { Session, View } from '../session';
import { invoiceTimeline } from './invoice-timeline';

type Invoice = InvoicesQuery['invoices']['edges'][number]['node'];

const STATUS_LABEL: Record<InvoiceStatus, string> = {
  DRAFT: 'Draft',
  OPEN: 'Open',
  OVERDUE: 'Overdue',
  PAID: 'Paid',
  UNCOLLECTIBLE: 'Uncollectible',
  VOID: 'Void',
};

/**
 * Opens a PDF the API serves only with the bearer key: fetched, then shown from a blob: URL. When the
 * browser blocks the new tab, the file is downloaded instead.
 */
async function openPdf(session: Session, pdfUrl: string, number: string, link: HTMLAnchorElement): Promise<void> {
  link.setAttribute('aria-busy', 'true');
  try {
    const url = URL.createObjectURL(await fetchPdf(session.key, pdfUrl));
    if (!window.open(url, '_blank')) h('a', { href: url, download: `${number}.pdf` }).click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000); // the new tab has loaded it by then
  } finally {
    link.removeAttribute('aria-busy');
  }
}

export function createInvoicesView(session: Session): View {
  const section = byId('view-invoices');
  const body = byId('invoice-rows');

  const pdfLink = (invoice: Invoice, pdfUrl: string) => {
    const link = h('a', { href: pdfUrl, class: 'pdf-link', 'aria-label': `PDF of invoice ${invoice.number}` }, 'PDF');
    link.addEventListener('click', (event) => {
      event.preventDefault(); // a plain navigation would carry no key
      openPdf(session, pdfUrl, invoice.number, link).then(
        () => showError(section, null),
        (err: unknown) => showError(section, err),
      );
    });
    return link;
  };

  const rows = (invoice: Invoice) => {
    const pdf = invoice.pdfUrl ? pdfLink(invoice, invoice.pdfUrl) : h('span', { class: 'muted' }, '—');
    const timeline = invoiceTimeline(session, invoice, 8);
    const row = h(
      'tr',
      { 'data-invoice-id': invoice.id },
      h('th', { scope: 'row' }, invoice.number),
      h('td', {}, period(invoice.periodStart, invoice.periodEnd)),
      h('td', {}, h('span', { class: 'status', 'data-status': invoice.status }, STATUS_LABEL[invoice.status])),
      h('td', { class: 'num' }, money(invoice.total)),
      h('td', { class: 'num' }, money(invoice.amountDue)),
      h('td', {}, invoice.dueDate ? date(invoice.dueDate) : '—'),
      h('td', {}, pdf),
      h('td', {}, timeline.button),
    );
    return [row, timeline.row];
  };

  const load = async () => {
    try {
      const { invoices } = await request(session.key, InvoicesDocument, {
        org: session.organization.id,
      });
      const shown = invoices.edges.length;
      byId('invoices-summary').textContent =
        invoices.totalCount === 0
          ? 'No invoice yet: one is issued when a billing period closes.'
          : `${invoices.totalCount} invoice${invoices.totalCount === 1 ? '' : 's'}${invoices.totalCount > shown ? `, the newest ${shown} shown` : ''}.`;
      body.replaceChildren(...invoices.edges.flatMap(({ node }) => rows(node)));
      body.closest('table')!.hidden = shown === 0;
      showError(section, null);
    } catch (err) {
      showError(section, err);
    }
  };

  section.querySelector('[data-refresh]')?.addEventListener('click', () => void load());
  return { section, show: () => void load() };
}
