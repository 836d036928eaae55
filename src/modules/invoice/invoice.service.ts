import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { assertId } from '../../common/errors/common-error';
import { updateReturning } from '../../common/database/batch-load';
import { namedParameters } from '../../common/database/pg-array';
import { CursorKey, keysetPage, pageRequest } from '../../common/graphql/pagination';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney } from '../../common/money/decimal';
import { Organization } from '../organization/organization.entity';
import { INVOICE_PAGE, InvoiceConnection } from './dto/invoice.types';
import { InvoiceLine } from './invoice-line.entity';
import { renderInvoicePdf, type InvoicePdfInstructions } from './invoice-pdf';
import { Invoice } from './invoice.entity';
import { InvoiceError, InvoiceErrorReason } from './invoice.error';
import { moveInvoice, payInvoice, sourcesOf } from './invoice-lifecycle';
import { InvoiceStatus } from './invoice-status';

export interface OverdueInvoice {
  id: string;
  organizationId: string;
  number: string;
  amountDue: string;
  currency: string;
}

const INVOICE = namedParameters(['invoice'] as const);
const OVERDUE = namedParameters(['organization', 'from'] as const);

/** Reading invoices and moving them through their lifecycle. */
export class InvoiceService {
  private paymentInstructions: (invoice: Invoice) => Promise<InvoicePdfInstructions[]> = async () => [];

  constructor(private readonly db: DataSource) {}

  /** How to pay an invoice, printed on its PDF (the payment module's bank-transfer details). */
  providePaymentInstructions(source: (invoice: Invoice) => Promise<InvoicePdfInstructions[]>): void {
    this.paymentInstructions = source;
  }

  async list(
    principal: Principal,
    organizationIdInput: string,
    first?: number | null,
    after?: string | null,
    status?: InvoiceStatus | null,
  ): Promise<InvoiceConnection> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_INVOICES, organizationIdInput);
    const page = pageRequest(first ?? INVOICE_PAGE.default, after, INVOICE_PAGE.max, CursorKey.timeAndId);
    const qb = this.db.getRepository(Invoice).createQueryBuilder('i').where('i.organizationId = :organizationId', { organizationId });
    if (status) qb.andWhere('i.status = :status', { status });
    const found = await keysetPage(qb, page, ['i.periodStart', 'i.id'], (node) => [node.periodStart.toISOString(), node.id]);
    return Object.assign(new InvoiceConnection(), found);
  }

  /** An invoice the caller may see; another organisation's answers NOT_FOUND, as if it did not exist. */
  async get(principal: Principal, idInput: string): Promise<Invoice> {
    const id = assertId(idInput, 'invoice id');
    assertCan(principal, Permission.VIEW_INVOICES);
    const invoice = await this.db.getRepository(Invoice).findOneBy({ id });
    if (!invoice || (!isPlatformAdmin(principal) && invoice.organizationId !== principal.organizationId)) {
      throw new InvoiceError(InvoiceErrorReason.NOT_FOUND, `Invoice ${id} does not exist`);
    }
    return invoice;
  }

  /** What the PDF shows, for an invoice the caller may see. */
  async pdf(principal: Principal, id: string): Promise<{ filename: string; content: Buffer }> {
    const invoice = await this.get(principal, id);
    const decimals = minorUnits(invoice.currency);
    const [organization, lines, paymentInstructions] = await Promise.all([
      this.db.getRepository(Organization).findOneByOrFail({ id: invoice.organizationId }),
      this.db.getRepository(InvoiceLine).find({ where: { invoiceId: invoice.id }, order: { position: 'ASC' } }),
      this.paymentInstructions(invoice),
    ]);
    const number = invoice.number ?? `DRAFT-${invoice.id.slice(0, 8).toUpperCase()}`;
    const content = await renderInvoicePdf({
      number,
      status: invoice.status,
      organizationName: organization.name,
      currency: invoice.currency,
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
      issuedAt: invoice.issuedAt,
      dueDate: invoice.dueDate,
      lines: lines.map((l) => ({
        description: l.description,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        amount: roundMoney(l.amount, decimals),
      })),
      subtotal: roundMoney(invoice.subtotal, decimals),
      creditsApplied: roundMoney(invoice.creditsApplied, decimals),
      total: roundMoney(invoice.total, decimals),
      amountDue: roundMoney(new Dec(invoice.total).minus(invoice.amountPaid), decimals),
      paymentInstructions,
    });
    return { filename: `invoice-${number}.pdf`, content };
  }

  /** Manual collection when Stripe is not configured (bank transfer, cheque). */
  markPaid(principal: Principal, id: string): Promise<Invoice> {
    return this.transition(principal, id, (tx, invoice) => payInvoice(tx, invoice));
  }

  /** Cancels an invoice and gives its credits back to the grants they came from. */
  void(principal: Principal, id: string): Promise<Invoice> {
    return this.transition(principal, id, async (tx, invoice) => {
      await moveInvoice(tx, invoice, InvoiceStatus.VOID);
      const $ = INVOICE.sql;
      const values = INVOICE.values({ invoice: invoice.id });
      await tx.query(
        `UPDATE credit_grants g SET remaining = g.remaining + a.amount FROM credit_applications a WHERE a.invoice_id = ${$.invoice} AND a.grant_id = g.id`,
        values,
      );
      await tx.query(`DELETE FROM credit_applications WHERE invoice_id = ${$.invoice}`, values);
      return invoice;
    });
  }

  markUncollectible(principal: Principal, id: string): Promise<Invoice> {
    return this.transition(principal, id, (tx, invoice) => moveInvoice(tx, invoice, InvoiceStatus.UNCOLLECTIBLE));
  }

  /** OPEN invoices whose due day has passed on their organisation's clock become OVERDUE. */
  async markOverdue(organizationId?: string): Promise<OverdueInvoice[]> {
    const $ = OVERDUE.sql;
    return updateReturning<OverdueInvoice>(
      this.db,
      `UPDATE invoices i SET status = '${InvoiceStatus.OVERDUE}' FROM organizations o
        WHERE o.id = i.organization_id AND i.status = ANY(${$.from}::invoice_status[])
          AND i.due_date + interval '1 day' <= organization_now(o)
          AND (${$.organization}::uuid IS NULL OR i.organization_id = ${$.organization})
        RETURNING i.id, i.organization_id AS "organizationId", i.number, (i.total - i.amount_paid)::text AS "amountDue", i.currency`,
      OVERDUE.values({ organization: organizationId ?? null, from: sourcesOf(InvoiceStatus.OVERDUE) }),
    );
  }

  /** Reads the invoice under a row lock, checks the caller may bill its organisation, then applies one lifecycle move. */
  private async transition(
    principal: Principal,
    idInput: string,
    move: (tx: EntityManager, invoice: Invoice) => Promise<Invoice>,
  ): Promise<Invoice> {
    const id = assertId(idInput, 'invoice id');
    return this.db.transaction(async (tx) => {
      const invoice = await tx.getRepository(Invoice).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!invoice) throw new InvoiceError(InvoiceErrorReason.NOT_FOUND, `Invoice ${id} does not exist`);
      authorizeTenant(principal, Permission.RUN_BILLING, invoice.organizationId);
      return move(tx, invoice);
    });
  }
}
