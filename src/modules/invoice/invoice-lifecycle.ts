import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { loadTenantScope } from '../organization/tenant-scope';
import { Invoice } from './invoice.entity';
import { InvoiceError, InvoiceErrorReason } from './invoice.error';
import { invoiceEventOf, recordInvoiceEvent } from './invoice-events';
import { InvoiceStatus } from './invoice-status';

/**
 * Where an invoice may go from each status. Every path that changes a status
 * asks here first: one invoice through assertTransition, a set-based statement
 * by matching `status = ANY(sourcesOf(to))`, so none can skip a rule.
 * PAID, VOID and UNCOLLECTIBLE are final.
 */
const TRANSITIONS: Readonly<Record<InvoiceStatus, readonly InvoiceStatus[]>> = {
  [InvoiceStatus.DRAFT]: [InvoiceStatus.OPEN, InvoiceStatus.VOID],
  [InvoiceStatus.OPEN]: [InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE],
  [InvoiceStatus.OVERDUE]: [InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE],
  [InvoiceStatus.PAID]: [],
  [InvoiceStatus.VOID]: [],
  [InvoiceStatus.UNCOLLECTIBLE]: [],
};

export function canTransition(from: InvoiceStatus, to: InvoiceStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Refuses, with the invoice error every path shares, a change the table does not allow. */
export function assertTransition(from: InvoiceStatus, to: InvoiceStatus): void {
  if (!canTransition(from, to)) throw new InvoiceError(InvoiceErrorReason.INVALID_TRANSITION, `A ${from} invoice cannot become ${to}`);
}

/** The statuses that may become `to`: what a set-based statement matches its rows' status against. */
export function sourcesOf(to: InvoiceStatus): InvoiceStatus[] {
  return Object.values(InvoiceStatus).filter((from) => canTransition(from, to));
}

/**
 * The status a draft is issued with: OPEN, or PAID at once when nothing is
 * left to pay (credits covered it). Issuing walks the table as the invoice
 * would, DRAFT to OPEN, then OPEN to PAID.
 */
export function issuedStatus(settled: boolean): InvoiceStatus {
  assertTransition(InvoiceStatus.DRAFT, InvoiceStatus.OPEN);
  if (!settled) return InvoiceStatus.OPEN;
  assertTransition(InvoiceStatus.OPEN, InvoiceStatus.PAID);
  return InvoiceStatus.PAID;
}

/**
 * Moves one invoice (read under a row lock by the caller's transaction) to
 * `to`, with whatever else that change sets, once the table allows it, and
 * records the platform event the move reports in the same transaction.
 */
export async function moveInvoice(
  tx: EntityManager,
  invoice: Invoice,
  to: InvoiceStatus,
  changes: QueryDeepPartialEntity<Invoice> & Partial<Invoice> = {},
): Promise<Invoice> {
  assertTransition(invoice.status, to);
  await tx.getRepository(Invoice).update({ id: invoice.id, organizationId: invoice.organizationId }, { ...changes, status: to });
  const event = invoiceEventOf(to);
  if (event) await recordInvoiceEvent(tx, invoice, event);
  return Object.assign(invoice, changes, { status: to });
}

/** Paid in full, on the organisation's clock: the one way an invoice becomes PAID, by hand or through Stripe. */
export async function payInvoice(tx: EntityManager, invoice: Invoice, changes: Partial<Invoice> = {}): Promise<Invoice> {
  const { now } = await loadTenantScope(tx, invoice.organizationId);
  return moveInvoice(tx, invoice, InvoiceStatus.PAID, { amountPaid: invoice.total, paidAt: now, ...changes });
}
