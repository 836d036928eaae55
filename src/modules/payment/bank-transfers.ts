import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { namedParameters } from '../../common/database/pg-array';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { Invoice } from '../invoice/invoice.entity';
import { canTransition, payInvoice, sourcesOf } from '../invoice/invoice-lifecycle';
import type { InvoicePdfInstructions } from '../invoice/invoice-pdf';
import { InvoiceStatus } from '../invoice/invoice-status';
import { Organization } from '../organization/organization.entity';
import { BankTransferInstructions } from './dto/bank-transfer.types';
import type { StripeCustomers } from './payment-methods';
import { InvoiceBankTransfer, type FinancialAddress } from './invoice-bank-transfer.entity';

/**
 * Invoices paid by bank transfer rather than charged: net-30 terms or longer (the due date at least 30 days after
 * the period), in USD, the one currency of Stripe's US bank transfers. Alias `i` is the invoice.
 */
export const BANK_TRANSFER_INVOICE = `(i.currency = 'USD' AND i.due_date IS NOT NULL AND i.due_date >= i.period_end + interval '30 days')`;

const DAY = 24 * 3600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DUE = namedParameters(['organization', 'payable'] as const);

/** Stripe's customer balance, funded by bank transfer, as it is asked for on an invoice and for instructions. */
const US_BANK_TRANSFER = { funding_type: 'bank_transfer', bank_transfer: { type: 'us_bank_transfer' } } as const;

/**
 * Net-30 invoices go to Stripe as invoices payable from the customer's balance (payment_method_types
 * customer_balance); the customer wires or sends an ACH credit to the virtual account Stripe gives them, Stripe
 * reconciles it with the invoice and reports `invoice.paid`, which settles ours.
 */
export class BankTransfers {
  constructor(
    private readonly db: DataSource,
    private readonly stripe: Stripe,
    private readonly customers: StripeCustomers,
    private readonly logger: Logger,
  ) {}

  /** Sends every issued, unpaid bank-transfer invoice not yet sent; a failure is tried again at the next cycle. */
  async sendDue(organizationId?: string): Promise<void> {
    const $ = DUE.sql;
    const due: Array<{ id: string }> = await this.db.query(
      `SELECT i.id FROM invoices i
        WHERE i.status = ANY(${$.payable}::invoice_status[]) AND i.total > i.amount_paid AND i.number IS NOT NULL
          AND ${BANK_TRANSFER_INVOICE}
          AND NOT EXISTS (SELECT 1 FROM invoice_bank_transfers b WHERE b.organization_id = i.organization_id AND b.invoice_id = i.id)
          AND (${$.organization}::uuid IS NULL OR i.organization_id = ${$.organization})
        ORDER BY i.due_date`,
      DUE.values({ organization: organizationId ?? null, payable: sourcesOf(InvoiceStatus.PAID) }),
    );
    for (const { id } of due) {
      try {
        await this.send(id);
      } catch (err) {
        this.logger.error({ err, invoiceId: id }, 'sending an invoice for bank transfer failed');
      }
    }
  }

  /** Each step keyed by the invoice, so that a retry after a failure part-way finds what Stripe already made. */
  private async send(invoiceId: string): Promise<void> {
    const invoice = await this.db.getRepository(Invoice).findOneByOrFail({ id: invoiceId });
    const organization = await this.db.getRepository(Organization).findOneByOrFail({ id: invoice.organizationId });
    const customer = await this.customers.ensureCustomer(organization);
    const currency = invoice.currency.toLowerCase();
    const amount = new Dec(invoice.total).minus(invoice.amountPaid).times(new Dec(10).pow(minorUnits(invoice.currency)));
    const terms = Math.round((invoice.dueDate!.getTime() - invoice.periodEnd.getTime()) / DAY);
    const draft = await this.stripe.invoices.create(
      {
        customer,
        currency,
        collection_method: 'send_invoice',
        days_until_due: terms,
        auto_advance: false,
        description: `Invoice ${invoice.number}`,
        metadata: { invoiceId: invoice.id, organizationId: invoice.organizationId },
        payment_settings: { payment_method_types: ['customer_balance'], payment_method_options: { customer_balance: US_BANK_TRANSFER } },
      },
      { idempotencyKey: `bank-transfer-${invoice.id}` },
    );
    await this.stripe.invoiceItems.create(
      { customer, invoice: draft.id, currency, amount: amount.toNumber(), description: `Invoice ${invoice.number}` },
      { idempotencyKey: `bank-transfer-${invoice.id}-item` },
    );
    const sent = await this.stripe.invoices.finalizeInvoice(draft.id, {}, { idempotencyKey: `bank-transfer-${invoice.id}-finalize` });
    const funding = await this.stripe.customers.createFundingInstructions(customer, { currency, ...US_BANK_TRANSFER });
    await this.db
      .getRepository(InvoiceBankTransfer)
      .createQueryBuilder()
      .insert()
      .values({
        organizationId: invoice.organizationId,
        invoiceId: invoice.id,
        stripeInvoiceId: sent.id,
        hostedInvoiceUrl: sent.hosted_invoice_url ?? null,
        financialAddresses: funding.bank_transfer.financial_addresses.flatMap(financialAddress),
      })
      .orIgnore()
      .execute();
  }

  /** Where to send the money for this invoice, or null when it is not paid by bank transfer (or settled). */
  async instructions(invoice: Invoice): Promise<BankTransferInstructions | null> {
    if (!canTransition(invoice.status, InvoiceStatus.PAID)) return null;
    const sent = await this.db
      .getRepository(InvoiceBankTransfer)
      .findOneBy({ organizationId: invoice.organizationId, invoiceId: invoice.id });
    return instructionsOf(invoice, sent);
  }

  /** The same, as the PDF prints it under the totals. */
  async pdfInstructions(invoice: Invoice): Promise<InvoicePdfInstructions[]> {
    const found = await this.instructions(invoice);
    if (!found) return [];
    const amount = `${found.amount.currency} ${roundMoney(found.amount.amount, minorUnits(found.amount.currency))}`;
    return found.addresses.map((address) => ({
      heading: `Pay ${amount} by bank transfer (${address.networks.join(', ')})`,
      fields: [
        ['Bank', address.bankName],
        ['Account holder', address.accountHolderName],
        ['Account number', address.accountNumber],
        ...(address.routingNumber ? [['Routing number', address.routingNumber] as [string, string]] : []),
        ...(address.swiftCode ? [['SWIFT code', address.swiftCode] as [string, string]] : []),
      ],
    }));
  }

  /**
   * Stripe's `invoice.paid` for a bank-transfer invoice: ours becomes PAID when the Stripe invoice is the one we
   * sent for it and what was paid, in its currency, covers what it owes. The reason it was not applied, or null.
   */
  async settle(tx: EntityManager, object: Partial<Stripe.Invoice>): Promise<string | null> {
    const invoiceId = object.metadata?.invoiceId;
    const organizationId = object.metadata?.organizationId;
    if (!invoiceId || !organizationId || !UUID.test(invoiceId) || !UUID.test(organizationId))
      return 'no invoice of ours is this Stripe invoice';
    const sent = await tx.getRepository(InvoiceBankTransfer).findOneBy({ organizationId, invoiceId });
    if (!sent || sent.stripeInvoiceId !== object.id) return 'no invoice of ours is this Stripe invoice';
    const invoice = await tx
      .getRepository(Invoice)
      .findOne({ where: { id: invoiceId, organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!invoice || invoice.status === InvoiceStatus.PAID) return null;
    const due = new Dec(invoice.total).minus(invoice.amountPaid);
    const paid =
      typeof object.amount_paid === 'number' ? new Dec(object.amount_paid).div(new Dec(10).pow(minorUnits(invoice.currency))) : null;
    const problem = !canTransition(invoice.status, InvoiceStatus.PAID)
      ? `A bank transfer arrived for a ${invoice.status} invoice, which cannot become PAID: refund or reapply it`
      : object.currency?.toUpperCase() !== invoice.currency || paid === null || paid.lessThan(due)
        ? `Stripe invoice ${sent.stripeInvoiceId} was paid ${paid === null ? 'an unknown amount' : `${paid.toFixed()} ${String(object.currency).toUpperCase()}`}, short of the ${due.toFixed(minorUnits(invoice.currency))} ${invoice.currency} due`
        : null;
    if (problem) {
      await tx.getRepository(Invoice).update({ id: invoice.id, organizationId }, { lastPaymentError: problem });
      return problem;
    }
    await payInvoice(tx, invoice, { lastPaymentError: null });
    return null;
  }
}

/** The addresses we show: US (aba) and international (swift) ones; Stripe lists no others for US bank transfers. */
function financialAddress(address: Stripe.FundingInstructions.BankTransfer.FinancialAddress): FinancialAddress[] {
  const networks = address.supported_networks ?? [];
  if (address.type === 'aba' && address.aba) {
    const { bank_name, account_holder_name, account_number, routing_number } = address.aba;
    return [
      {
        type: 'aba',
        bankName: bank_name,
        accountHolderName: account_holder_name,
        accountNumber: account_number,
        routingNumber: routing_number,
        swiftCode: null,
        networks,
      },
    ];
  }
  if (address.type === 'swift' && address.swift) {
    const { bank_name, account_holder_name, account_number, swift_code } = address.swift;
    return [
      {
        type: 'swift',
        bankName: bank_name,
        accountHolderName: account_holder_name,
        accountNumber: account_number,
        routingNumber: null,
        swiftCode: swift_code,
        networks,
      },
    ];
  }
  return [];
}

/**
 * Where to send the money for an invoice, from its bank-transfer row (read one at a time, or a page's at once
 * through a loader); null when it is not paid by bank transfer, or is settled.
 */
export function instructionsOf(invoice: Invoice, sent: InvoiceBankTransfer | null): BankTransferInstructions | null {
  if (!sent || !canTransition(invoice.status, InvoiceStatus.PAID)) return null;
  return Object.assign(new BankTransferInstructions(), {
    amount: Money.rounded(new Dec(invoice.total).minus(invoice.amountPaid), invoice.currency),
    addresses: sent.financialAddresses,
    hostedInvoiceUrl: sent.hostedInvoiceUrl,
  });
}
