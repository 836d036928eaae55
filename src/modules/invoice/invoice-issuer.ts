import type { EntityManager } from 'typeorm';
import { namedStatement } from '../../common/database/pg-array';
import { minorUnits } from '../../common/money/currency';
import { Dec } from '../../common/money/decimal';
import { CreditApplication } from '../credit/credit-application.entity';
import { CreditGrant } from '../credit/credit-grant.entity';
import { PlatformEventType } from '../webhook/platform-event-type';
import { recordInvoiceEvent } from './invoice-events';
import { buildInvoice, invoiceNumber, type AvailableGrant, type LineDraft } from './invoice-builder';
import { InvoiceKind } from './invoice-kind';
import { InvoiceLine } from './invoice-line.entity';
import { issuedStatus } from './invoice-lifecycle';
import { InvoiceStatus } from './invoice-status';
import { Invoice } from './invoice.entity';

/** An invoice issued on its own, outside a close: a base fee billed in advance. */
export interface ImmediateInvoice {
  organizationId: string;
  kind: InvoiceKind.OPENING | InvoiceKind.PLAN_CHANGE;
  currency: string;
  /** The billing period the fee belongs to. */
  periodStart: Date;
  periodEnd: Date;
  /** The organisation's now: the invoice is issued, and falls due, from it. */
  issuedAt: Date;
  paymentTermsDays: number;
  /** Rounded already, as a close's pending items are. */
  lines: LineDraft[];
}

const NEXT_SEQUENCE = namedStatement(
  ['organizationId'],
  (p) => `INSERT INTO invoice_counters (organization_id, last_sequence) VALUES (${p.organizationId}, 1)
          ON CONFLICT (organization_id) DO UPDATE SET last_sequence = invoice_counters.last_sequence + 1
          RETURNING last_sequence`,
);

const USABLE_GRANTS = namedStatement(
  ['organizationId'],
  (p) => `SELECT id, remaining, expires_at, granted_at FROM credit_grants
           WHERE organization_id = ${p.organizationId} AND remaining > 0 FOR UPDATE`,
);

const USE_GRANT = namedStatement(
  ['organizationId', 'grantId', 'amount'],
  (p) =>
    `UPDATE credit_grants SET remaining = remaining - ${p.amount}::numeric WHERE id = ${p.grantId} AND organization_id = ${p.organizationId}`,
);

interface GrantRow {
  id: string;
  remaining: string;
  expires_at: Date | null;
  granted_at: Date;
}

/**
 * Issues one invoice now, in the caller's transaction, as a close would: lines summed, credits applied first,
 * numbered from the organisation's counter (a close holding the same subscription lock reads it after), OPEN, or
 * PAID when credits cover it. The caller holds the organisation's subscription row lock; a second OPENING invoice
 * for a period is refused by a unique index.
 */
export async function issueInvoiceNow(tx: EntityManager, input: ImmediateInvoice): Promise<Invoice> {
  const { organizationId } = input;
  const grants: GrantRow[] = await tx.query(USABLE_GRANTS.text, USABLE_GRANTS.values({ organizationId }));
  const decimals = minorUnits(input.currency);
  const draft = buildInvoice({
    decimals,
    periodEnd: input.issuedAt,
    paymentTermsDays: input.paymentTermsDays,
    baseFee: null,
    usage: [],
    items: input.lines,
    grants: grants.map((g): AvailableGrant => ({
      id: g.id,
      remaining: new Dec(g.remaining),
      expiresAt: g.expires_at,
      grantedAt: g.granted_at,
    })),
  });
  const [counter] = await tx.query<Array<{ last_sequence: number }>>(NEXT_SEQUENCE.text, NEXT_SEQUENCE.values({ organizationId }));
  const sequence = counter!.last_sequence;
  const status = issuedStatus(new Dec(draft.total).isZero());
  const inserted = await tx.getRepository(Invoice).insert({
    organizationId,
    kind: input.kind,
    sequence,
    number: invoiceNumber(organizationId, sequence),
    status,
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    currency: input.currency,
    subtotal: draft.subtotal,
    creditsApplied: draft.creditsApplied,
    total: draft.total,
    amountPaid: '0',
    issuedAt: input.issuedAt,
    dueDate: draft.dueDate,
    paymentDueAt: draft.paymentDueAt,
    paidAt: status === InvoiceStatus.PAID ? input.issuedAt : null,
  });
  const invoiceId = (inserted.identifiers[0] as { id: string }).id;
  await tx.getRepository(InvoiceLine).insert(draft.lines.map((line, position) => ({ organizationId, invoiceId, position, ...line })));
  for (const application of draft.applications) {
    await tx.getRepository(CreditApplication).insert({ organizationId, invoiceId, ...application });
    await tx.query(USE_GRANT.text, USE_GRANT.values({ organizationId, grantId: application.grantId, amount: application.amount }));
  }
  if (new Dec(draft.carryOver).greaterThan(0)) {
    await tx.getRepository(CreditGrant).insert({
      organizationId,
      amount: draft.carryOver,
      remaining: draft.carryOver,
      reason: 'Carried over from a credit invoice',
      grantedAt: input.issuedAt,
    });
  }
  // Reported to the platform as a close's invoices are: issued, and paid at once when credits covered it.
  await recordInvoiceEvent(tx, { id: invoiceId, organizationId }, PlatformEventType.INVOICE_ISSUED);
  if (status === InvoiceStatus.PAID) await recordInvoiceEvent(tx, { id: invoiceId, organizationId }, PlatformEventType.INVOICE_PAID);
  return tx.getRepository(Invoice).findOneByOrFail({ id: invoiceId, organizationId });
}
