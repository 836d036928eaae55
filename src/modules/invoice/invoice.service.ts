import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { assertId } from '../../common/errors/common-error';
import { namedParameters } from '../../common/database/pg-array';
import { CursorKey, keysetPage, pageRequest } from '../../common/graphql/pagination';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney } from '../../common/money/decimal';
import { Organization } from '../organization/organization.entity';
import { INVOICE_PAGE, InvoiceConnection } from './dto/invoice.types';
import { PlatformEventType } from '../webhook/platform-event-type';
import { platformEventCtes } from '../webhook/platform-events';
import { InvoiceLine } from './invoice-line.entity';
import { renderInvoicePdf, type InvoicePdfInstructions } from './invoice-pdf';
import { Invoice } from './invoice.entity';
import { InvoiceError, InvoiceErrorReason } from './invoice.error';
import { moveInvoice, payInvoice, sourcesOf } from './invoice-lifecycle';
import { invoiceEventData } from './invoice-events';
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
  private readonly paidListeners: Array<(tx: EntityManager, invoice: Invoice) => Promise<void>> = [];
  private paymentInstructions: (invoice: Invoice) => Promise<InvoicePdfInstructions[]> = async () => [];

  constructor(private readonly db: DataSource) {}

  /** Told, inside the transaction, of an invoice paid by hand (receipts are queued there). */
  onPaid(listener: (tx: EntityManager, invoice: Invoice) => Promise<void>): void {
    this.paidListeners.push(listener);
  }

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
    return this.pdfOf(await this.get(principal, id));
  }

  /** The PDF of an invoice already authorised or read by the system (statement emails). */
  async pdfOf(invoice: Invoice): Promise<{ filename: string; content: Buffer }> {
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
      paidAt: invoice.paidAt,
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
    return this.transition(principal, id, async (tx, invoice) => {
      await payInvoice(tx, invoice);
      for (const listener of this.paidListeners) await listener(tx, invoice);
      return invoice;
    });
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

  /**
   * OPEN invoices whose due day has passed on their organisation's clock become OVERDUE, with
   * their invoice.overdue events in the same statement.
   */
  async markOverdue(organizationId?: string): Promise<OverdueInvoice[]> {
    const $ = OVERDUE.sql;
    return this.db.query(
      `WITH moved AS (
         UPDATE invoices i SET status = '${InvoiceStatus.OVERDUE}' FROM organizations o
          WHERE o.id = i.organization_id AND i.status = ANY(${$.from}::invoice_status[])
            AND i.due_date + interval '1 day' <= organization_now(o)
            AND (${$.organization}::uuid IS NULL OR i.organization_id = ${$.organization})
         RETURNING i.*),
       overdue_events AS (
         SELECT organization_id, '${PlatformEventType.INVOICE_OVERDUE}'::text AS type, ${invoiceEventData('moved')} AS data, NULL::text AS dedup_key
           FROM moved),
       ${platformEventCtes('overdue_events')}
       SELECT id, organization_id AS "organizationId", number, (total - amount_paid)::text AS "amountDue", currency FROM moved`,
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
