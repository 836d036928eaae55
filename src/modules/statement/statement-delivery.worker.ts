import { setTimeout as sleep } from 'node:timers/promises';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { In, type DataSource } from 'typeorm';
import { updateReturning } from '../../common/database/batch-load';
import { namedParameters } from '../../common/database/pg-array';
import { backoffDelay, OutboxWorker } from '../../common/outbox/outbox-poller';
import { Invoice } from '../invoice/invoice.entity';
import type { InvoiceService } from '../invoice/invoice.service';
import { InvoiceStatus } from '../invoice/invoice-status';
import { Organization } from '../organization/organization.entity';
import type { StatementKind } from './statement-delivery.entity';
import { statementMail } from './statement-mail';

export interface StatementDeliveryOptions {
  /** First retry delay; each further one doubles, up to an hour. */
  baseDelayMs: number;
  pollMs: number;
  maxAttempts: number;
  /**
   * How long a claimed row is left to its sender before another may take it. Longer than any one
   * send can last (the transport's timeouts), so that no second sender starts while the first may
   * still be accepted; only a crash between acceptance and its record sends a message twice.
   */
  leaseMs: number;
  /** Rows claimed at once: each renders a PDF, so few. */
  batchSize: number;
}

export const DEFAULT_STATEMENT_DELIVERY: StatementDeliveryOptions = {
  baseDelayMs: 1000,
  pollMs: 1000,
  maxAttempts: 12,
  leaseMs: 15 * 60_000,
  batchSize: 10,
};

/** Timeouts for the SMTP transport statements go through, well inside the lease. */
export const STATEMENT_SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

const CLAIM = namedParameters(['leaseMs', 'maxAttempts', 'limit'] as const);
const ACCEPTED = namedParameters(['id', 'messageId', 'response'] as const);
const FAILED = namedParameters(['id', 'error', 'delayMs', 'attempts'] as const);

interface Claimed {
  id: string;
  organization_id: string;
  invoice_id: string;
  kind: StatementKind;
  recipient: string;
  attempts: number;
}

/** Statuses whose statement is no longer news: nothing is sent for them. */
const UNSENDABLE = new Set<InvoiceStatus>([InvoiceStatus.VOID, InvoiceStatus.DRAFT]);

/** A refusal the SMTP server means for good (5xx: no such mailbox, policy): retrying would not help. */
function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * Sends the statement outbox: claims due rows with SKIP LOCKED (several nodes
 * may run it), renders each invoice's PDF once per batch, mails it, and records
 * the server's acceptance at once; failures are retried with exponential
 * backoff. Runs only where SMTP is configured.
 */
export class StatementDeliveryWorker extends OutboxWorker {
  constructor(
    private readonly db: DataSource,
    private readonly mailer: Transporter,
    private readonly mailFrom: string,
    private readonly invoices: InvoiceService,
    private readonly logger: Logger,
    private readonly options: StatementDeliveryOptions,
  ) {
    super(options.pollMs, (err) => logger.error({ err }, 'statement delivery run failed'));
  }

  protected async drain(): Promise<void> {
    for (;;) {
      const batch = await this.claim();
      if (batch.length === 0) return;
      const ids = [...new Set(batch.map((d) => d.invoice_id))];
      const invoices = new Map((await this.db.getRepository(Invoice).findBy({ id: In(ids) })).map((i) => [i.id, i]));
      const organizationIds = [...new Set(batch.map((d) => d.organization_id))];
      const names = new Map((await this.db.getRepository(Organization).findBy({ id: In(organizationIds) })).map((o) => [o.id, o.name]));
      const pdfs = new Map<string, Promise<{ filename: string; content: Buffer }>>();
      for (const delivery of batch) {
        const invoice = invoices.get(delivery.invoice_id);
        if (!invoice || UNSENDABLE.has(invoice.status)) {
          await this.fail(delivery, new Error(`invoice ${delivery.invoice_id} is ${invoice?.status ?? 'gone'}: no statement sent`), true);
          continue;
        }
        let pdf = pdfs.get(invoice.id);
        if (!pdf) pdfs.set(invoice.id, (pdf = this.invoices.pdfOf(invoice)));
        await this.deliver(delivery, invoice, names.get(invoice.organizationId) ?? '', pdf);
      }
    }
  }

  private claim(): Promise<Claimed[]> {
    const $ = CLAIM.sql;
    return updateReturning<Claimed>(
      this.db,
      `WITH due AS (
         SELECT id, organization_id FROM statement_deliveries
          WHERE delivered_at IS NULL AND next_attempt_at <= now() AND attempts < ${$.maxAttempts}
          ORDER BY next_attempt_at LIMIT ${$.limit} FOR UPDATE SKIP LOCKED)
       UPDATE statement_deliveries d SET attempts = d.attempts + 1,
              next_attempt_at = now() + make_interval(secs => ${$.leaseMs}::double precision / 1000)
         FROM due WHERE d.id = due.id AND d.organization_id = due.organization_id
       RETURNING d.id, d.organization_id, d.invoice_id, d.kind, d.recipient, d.attempts`,
      CLAIM.values({ leaseMs: this.options.leaseMs, maxAttempts: this.options.maxAttempts, limit: this.options.batchSize }),
    );
  }

  private async deliver(
    delivery: Claimed,
    invoice: Invoice,
    organizationName: string,
    pdf: Promise<{ filename: string; content: Buffer }>,
  ): Promise<void> {
    let accepted: { messageId: string; response?: string };
    try {
      const number = invoice.number ?? invoice.id;
      const mail = statementMail({ ...invoice, kind: delivery.kind, organizationName, number });
      const { filename, content } = await pdf;
      accepted = await this.mailer.sendMail({
        from: this.mailFrom,
        to: delivery.recipient,
        subject: mail.subject,
        text: mail.text,
        // One Message-ID per row: a copy sent again after a crash is recognisably the same message.
        messageId: `<statement-${delivery.id}@meterly>`,
        attachments: [{ filename, content, contentType: 'application/pdf' }],
      });
    } catch (err) {
      await this.fail(delivery, err, isPermanent(err));
      return;
    }
    await this.recordAccepted(delivery, accepted);
  }

  /**
   * The server took the message: it must never be sent again, so the record is retried
   * (a database blip) rather than the send.
   */
  private async recordAccepted(delivery: Claimed, info: { messageId: string; response?: string }): Promise<void> {
    const $ = ACCEPTED.sql;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.query(
          `UPDATE statement_deliveries SET delivered_at = now(), smtp_message_id = ${$.messageId}, smtp_response = ${$.response}, last_error = NULL
            WHERE id = ${$.id}`,
          ACCEPTED.values({ id: delivery.id, messageId: info.messageId, response: info.response?.slice(0, 1000) ?? null }),
        );
        return;
      } catch (err) {
        if (attempt >= 5) {
          this.logger.error(
            { err, deliveryId: delivery.id },
            'statement sent but its delivery could not be recorded: it may be sent again',
          );
          return;
        }
        await sleep(200 * 2 ** attempt);
      }
    }
  }

  private async fail(delivery: Claimed, err: unknown, permanent: boolean): Promise<void> {
    const delay = backoffDelay(delivery.attempts, this.options.baseDelayMs, 3600_000);
    const message = err instanceof Error ? err.message : String(err);
    const $ = FAILED.sql;
    // A permanent failure uses up the attempts, so the row stays as the record of why nothing was sent.
    await this.db.query(
      `UPDATE statement_deliveries SET last_error = ${$.error}, attempts = greatest(attempts, ${$.attempts}),
              next_attempt_at = now() + make_interval(secs => ${$.delayMs}::double precision / 1000)
        WHERE id = ${$.id}`,
      FAILED.values({
        id: delivery.id,
        error: message.slice(0, 1000),
        delayMs: delay,
        attempts: permanent ? this.options.maxAttempts : delivery.attempts,
      }),
    );
    this.logger.warn(
      { deliveryId: delivery.id, invoiceId: delivery.invoice_id, attempt: delivery.attempts, permanent, retryInMs: delay, err: message },
      'statement delivery failed',
    );
  }
}
