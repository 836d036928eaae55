import { InvoiceError, InvoiceErrorReason } from './invoice.error';
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
