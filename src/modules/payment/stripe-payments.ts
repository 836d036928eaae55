import type { Logger } from 'pino';
import Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { namedParameters } from '../../common/database/pg-array';
import { minorUnits } from '../../common/money/currency';
import { Dec } from '../../common/money/decimal';
import { organizationNow } from '../../common/time/organization-clock';
import type { PaymentCollector } from '../billing/billing.service';
import { Invoice } from '../invoice/invoice.entity';
import { recordInvoiceEvent } from '../invoice/invoice-events';
import { canTransition, payInvoice, sourcesOf } from '../invoice/invoice-lifecycle';
import { InvoiceStatus } from '../invoice/invoice-status';
import { Organization } from '../organization/organization.entity';
import { PlatformEventType } from '../webhook/platform-event-type';
import { BANK_TRANSFER_INVOICE, BankTransfers } from './bank-transfers';
import { PaymentError, PaymentErrorReason } from './payment.error';
import { StripeEvent } from './stripe-event.entity';

/** Failed charges are tried again after 3, 6 and 9 days, then left to a person. */
const RETRY_DAYS = 3;
const MAX_ATTEMPTS = 4;
const DAY = 24 * 3600_000;

const DUE = namedParameters(['organization', 'payable', 'maxAttempts'] as const);

/** Notified of payment outcomes (the alerts module raises alerts from these). */
export interface PaymentListener {
  paymentFailed(invoice: Invoice, message: string): Promise<void>;
  /** Inside the transaction that made the invoice PAID (receipts are queued there). */
  invoicePaid(tx: EntityManager, invoice: Invoice): Promise<void>;
}

/**
 * Collection through Stripe: a customer per organisation, cards and bank
 * accounts attached with SetupIntents (PaymentMethodService; we never see their
 * details), one PaymentIntent per invoice with the invoice id as idempotency
 * key, net-30 invoices sent for bank transfer (BankTransfers), and signed
 * webhooks as the source of truth.
 */
export class StripePayments implements PaymentCollector {
  private listener: PaymentListener | null = null;
  /** Net-30 invoices, sent to be paid by bank transfer instead of charged. */
  readonly bankTransfers: BankTransfers;

  constructor(
    private readonly db: DataSource,
    private readonly stripe: Stripe,
    private readonly webhookSecret: string | undefined,
    private readonly logger: Logger,
  ) {
    this.bankTransfers = new BankTransfers(db, stripe, this, logger);
  }

  onPayment(listener: PaymentListener): void {
    this.listener = listener;
  }

  async ensureCustomer(organization: Organization): Promise<string> {
    if (organization.stripeCustomerId) return organization.stripeCustomerId;
    const customer = await this.stripe.customers.create(
      { name: organization.name, metadata: { organizationId: organization.id } },
      { idempotencyKey: `customer-${organization.id}` },
    );
    await this.db.getRepository(Organization).update({ id: organization.id }, { stripeCustomerId: customer.id });
    return customer.id;
  }

  /** Sends bank-transfer invoices, then charges every other invoice whose collection date has come, on its organisation's clock. */
  async collectDue(organizationId?: string): Promise<void> {
    await this.bankTransfers.sendDue(organizationId);
    const $ = DUE.sql;
    const due: Array<{ id: string }> = await this.db.query(
      `SELECT i.id FROM invoices i JOIN organizations o ON o.id = i.organization_id
        WHERE i.status = ANY(${$.payable}::invoice_status[]) AND i.total > i.amount_paid AND i.payment_attempts < ${$.maxAttempts}
          AND i.payment_due_at <= organization_now(o) AND o.stripe_payment_method_id IS NOT NULL AND NOT ${BANK_TRANSFER_INVOICE}
          AND (${$.organization}::uuid IS NULL OR i.organization_id = ${$.organization})
        ORDER BY i.payment_due_at`,
      DUE.values({ organization: organizationId ?? null, payable: sourcesOf(InvoiceStatus.PAID), maxAttempts: MAX_ATTEMPTS }),
    );
    for (const { id } of due) {
      try {
        await this.charge(id);
      } catch (err) {
        this.logger.error({ err, invoiceId: id }, 'charging an invoice failed');
      }
    }
  }

  private async charge(invoiceId: string): Promise<void> {
    const invoice = await this.db.getRepository(Invoice).findOneByOrFail({ id: invoiceId });
    const organization = await this.db.getRepository(Organization).findOneByOrFail({ id: invoice.organizationId });
    const amount = new Dec(invoice.total).minus(invoice.amountPaid).times(new Dec(10).pow(minorUnits(invoice.currency)));
    const paymentMethod = organization.stripePaymentMethodId!;
    const attempt = invoice.paymentAttempts + 1;
    try {
      const intent = invoice.stripePaymentIntentId
        ? await this.stripe.paymentIntents.confirm(
            invoice.stripePaymentIntentId,
            { payment_method: paymentMethod, off_session: true },
            { idempotencyKey: `${invoice.id}-attempt-${attempt}` },
          )
        : await this.stripe.paymentIntents.create(
            {
              amount: amount.toNumber(),
              currency: invoice.currency.toLowerCase(),
              customer: await this.ensureCustomer(organization),
              payment_method: paymentMethod,
              off_session: true,
              confirm: true,
              metadata: { invoiceId: invoice.id, organizationId: organization.id },
            },
            { idempotencyKey: invoice.id },
          );
      await this.db.getRepository(Invoice).update({ id: invoice.id }, { stripePaymentIntentId: intent.id, paymentAttempts: attempt });
      if (intent.status === 'succeeded') await this.db.transaction((tx) => this.markPaid(tx, paidIntent(intent)));
    } catch (err) {
      if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
      const now = organizationNow(organization);
      const message = err.message;
      await this.db.transaction(async (tx) => {
        await tx.getRepository(Invoice).update(
          { id: invoice.id },
          {
            stripePaymentIntentId: err.payment_intent?.id ?? invoice.stripePaymentIntentId,
            paymentAttempts: attempt,
            lastPaymentError: message,
            paymentDueAt: new Date(now.getTime() + attempt * RETRY_DAYS * DAY),
          },
        );
        await recordPaymentFailed(tx, invoice, message, attempt);
      });
      await this.listener?.paymentFailed(invoice, err.message);
    }
  }

  /**
   * POST /webhooks/stripe: the signature over the raw body is checked, with a
   * 5-minute tolerance either way; each event id is applied once, in the same
   * transaction as its effect. An event that names no invoice of ours, or whose
   * payment does not settle the invoice, is acknowledged (Stripe would
   * otherwise resend it for days) and logged, with the reason in the answer.
   */
  async handleWebhook(rawBody: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
    if (!this.webhookSecret) throw new PaymentError(PaymentErrorReason.NOT_CONFIGURED, 'STRIPE_WEBHOOK_SECRET is not set');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature ?? '', this.webhookSecret, TOLERANCE_SECONDS);
    } catch (err) {
      throw new PaymentError(PaymentErrorReason.BAD_SIGNATURE, err instanceof Error ? err.message : 'Invalid signature');
    }
    // The SDK only refuses old timestamps; one from the future is as suspect.
    const signedAt = Number(/(?:^|,)t=(\d+)(?:,|$)/.exec(signature ?? '')?.[1]);
    if (!(signedAt <= Date.now() / 1000 + TOLERANCE_SECONDS))
      throw new PaymentError(PaymentErrorReason.BAD_SIGNATURE, 'Timestamp outside the tolerance zone (in the future)');
    const failed: Array<{ invoice: Invoice; message: string }> = [];
    const outcome = await this.db.transaction(async (tx): Promise<WebhookOutcome> => {
      const inserted = await tx
        .getRepository(StripeEvent)
        .createQueryBuilder()
        .insert()
        .values({ id: event.id, type: event.type })
        .orIgnore()
        .execute();
      if ((inserted.raw as unknown[]).length === 0) return { duplicate: true };
      switch (event.type) {
        case 'payment_intent.succeeded':
          return this.markPaid(tx, paidIntent(event.data.object));
        case 'payment_intent.payment_failed': {
          const intent = paidIntent(event.data.object);
          const invoice = await this.invoiceFor(tx, intent.id, intent.invoiceId);
          if (!invoice) return this.ignored(event, 'no invoice of ours has this payment');
          const message = event.data.object.last_payment_error?.message ?? 'The payment failed';
          // Adopted only by an invoice without one: a failure never hands the invoice to another intent.
          await tx
            .getRepository(Invoice)
            .update({ id: invoice.id }, { lastPaymentError: message, stripePaymentIntentId: invoice.stripePaymentIntentId ?? intent.id });
          await recordPaymentFailed(tx, invoice, message, Math.max(invoice.paymentAttempts, 1));
          failed.push({ invoice, message });
          return { duplicate: false };
        }
        case 'invoice.paid': {
          const ignored = await this.bankTransfers.settle(tx, event.data.object);
          return ignored ? this.ignored(event, ignored) : { duplicate: false };
        }
        case 'setup_intent.succeeded': {
          const intent = event.data.object;
          const customer = typeof intent.customer === 'string' ? intent.customer : intent.customer?.id;
          const method = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id;
          if (customer && method)
            await tx.getRepository(Organization).update({ stripeCustomerId: customer }, { stripePaymentMethodId: method });
          return { duplicate: false };
        }
        default:
          this.logger.debug({ type: event.type }, 'stripe event ignored');
          return { duplicate: false };
      }
    });
    for (const f of failed) await this.listener?.paymentFailed(f.invoice, f.message);
    return outcome;
  }

  private ignored(event: Stripe.Event, reason: string): WebhookOutcome {
    this.logger.warn({ eventId: event.id, type: event.type, reason }, 'stripe event not applied');
    return { duplicate: false, ignored: reason };
  }

  /** Locked when its status is about to change, so that no other path moves it meanwhile. */
  private async invoiceFor(
    tx: EntityManager,
    paymentIntentId: string | null,
    invoiceId: string | null,
    lock = false,
  ): Promise<Invoice | null> {
    const repo = tx.getRepository(Invoice);
    const find = (where: { id: string } | { stripePaymentIntentId: string }) =>
      repo.findOne({ where, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return (
      (invoiceId ? await find({ id: invoiceId }) : null) ?? (paymentIntentId ? find({ stripePaymentIntentId: paymentIntentId }) : null)
    );
  }

  /**
   * Stripe took the money. A success for an invoice this intent already paid
   * (the charge saw it, then the webhook) changes nothing; an invoice the
   * lifecycle will not make PAID (say VOID) stays as it is, with the payment
   * noted on it. The invoice becomes PAID only when the intent is its own
   * and the amount received, in its currency, covers what it still owes;
   * otherwise the payment is noted on the invoice, which stays open.
   */
  private async markPaid(tx: EntityManager, intent: PaidIntent): Promise<WebhookOutcome> {
    const invoice = await this.invoiceFor(tx, intent.id, intent.invoiceId, true);
    if (!invoice || !intent.id) {
      this.logger.warn({ paymentIntentId: intent.id, invoiceId: intent.invoiceId }, 'stripe payment for no invoice of ours');
      return { duplicate: false, ignored: 'no invoice of ours has this payment' };
    }
    if (invoice.status === InvoiceStatus.PAID && invoice.stripePaymentIntentId === intent.id) return { duplicate: false };
    // Money taken for an invoice that may no longer be paid (voided, written off) is for a person to refund or
    // reapply: noted on the invoice and acknowledged, since Stripe sending it again would change nothing.
    const problem = canTransition(invoice.status, InvoiceStatus.PAID)
      ? paymentProblem(invoice, intent)
      : `A payment arrived for a ${invoice.status} invoice, which cannot become PAID: refund or reapply it`;
    if (problem) {
      this.logger.warn({ invoiceId: invoice.id, paymentIntentId: intent.id, problem }, 'stripe payment does not settle the invoice');
      await tx.getRepository(Invoice).update({ id: invoice.id }, { lastPaymentError: problem });
      return { duplicate: false, ignored: problem };
    }
    await payInvoice(tx, invoice, { stripePaymentIntentId: intent.id, lastPaymentError: null });
    await this.listener?.invoicePaid(tx, invoice);
    return { duplicate: false };
  }
}

/**
 * invoice.payment_failed, once per attempt: the charge and Stripe's payment_intent.payment_failed
 * both report a declined attempt, and whichever comes second is dropped by its dedup key.
 */
function recordPaymentFailed(tx: EntityManager, invoice: Invoice, message: string, attempt: number): Promise<void> {
  return recordInvoiceEvent(
    tx,
    invoice,
    PlatformEventType.INVOICE_PAYMENT_FAILED,
    { payment: { error: message, attempt } },
    `payment_failed:${invoice.id}:${attempt}`,
  );
}

/** Events are accepted up to 5 minutes from their signing time, before or after. */
const TOLERANCE_SECONDS = 300;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the webhook answers: whether the event was seen before, and why it was not applied, if it was not. */
export interface WebhookOutcome {
  duplicate: boolean;
  ignored?: string;
}

/** The parts of a PaymentIntent a payment is judged by; an invoice id that is not one of ours is dropped. */
interface PaidIntent {
  id: string | null;
  invoiceId: string | null;
  /** Minor units received; Stripe sends `amount_received`, older payloads only `amount`. */
  amountReceived: number | null;
  currency: string | null;
}

function paidIntent(object: Partial<Stripe.PaymentIntent>): PaidIntent {
  const invoiceId = object.metadata?.invoiceId;
  const received = object.amount_received ?? object.amount;
  return {
    id: typeof object.id === 'string' ? object.id : null,
    invoiceId: typeof invoiceId === 'string' && UUID.test(invoiceId) ? invoiceId.toLowerCase() : null,
    amountReceived: typeof received === 'number' && Number.isSafeInteger(received) ? received : null,
    currency: typeof object.currency === 'string' ? object.currency : null,
  };
}

/** Why this payment does not settle the invoice, or null when it does. */
function paymentProblem(invoice: Invoice, intent: PaidIntent): string | null {
  // An invoice without an intent yet (the charge's answer was lost) takes the one created for it.
  const own = invoice.stripePaymentIntentId ? invoice.stripePaymentIntentId === intent.id : intent.invoiceId === invoice.id;
  if (!own) return `Payment ${intent.id} is not this invoice's PaymentIntent`;
  const digits = minorUnits(invoice.currency);
  const scale = new Dec(10).pow(digits);
  const due = new Dec(invoice.total).minus(invoice.amountPaid);
  const received = intent.amountReceived === null ? null : new Dec(intent.amountReceived).div(scale);
  if (intent.currency?.toUpperCase() !== invoice.currency.toUpperCase() || received === null || received.lessThan(due)) {
    const paid =
      received === null || intent.currency === null ? 'an unknown amount' : `${received.toFixed(digits)} ${intent.currency.toUpperCase()}`;
    return `Payment ${intent.id} of ${paid} does not cover the ${due.toFixed(digits)} ${invoice.currency} due`;
  }
  return null;
}
