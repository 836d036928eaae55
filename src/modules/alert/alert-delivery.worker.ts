import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { updateReturning } from '../../common/database/batch-load';
import { namedParameters } from '../../common/database/pg-array';
import { postToTarget } from '../../common/http/outbound-post';
import { backoffDelay, OutboxWorker } from '../../common/outbox/outbox-poller';
import { signWebhook } from '../../common/http/webhook-signature';
import type { OutboundPolicy } from '../../common/http/outbound-target';
import type { SmsSender } from './twilio-sms-sender';

export interface DeliveryOptions {
  /** First retry delay; each further one doubles, up to an hour. */
  baseDelayMs: number;
  pollMs: number;
  maxAttempts: number;
  /** A claimed delivery that is not finished by then (crash) is tried again. */
  leaseMs: number;
}

/** Retry and polling settings; the server takes `baseDelayMs` from its config. */
export const DEFAULT_DELIVERY: DeliveryOptions = { baseDelayMs: 1000, pollMs: 1000, maxAttempts: 12, leaseMs: 30_000 };

const CLAIM = namedParameters(['leaseMs', 'maxAttempts'] as const);
const DELIVERED = namedParameters(['id'] as const);
const FAILED = namedParameters(['id', 'error', 'delayMs'] as const);

interface Claimed {
  id: string;
  channel: 'email' | 'webhook' | 'sms';
  target: string;
  attempts: number;
  alert_id: string;
  organization_id: string;
  severity: string;
  kind: string;
  metric_code: string | null;
  threshold: string;
  value: string;
  message: string;
  triggered_at: Date;
  webhook_secret: string | null;
}

/**
 * Sends the outbox: claims due deliveries with SKIP LOCKED (several nodes can
 * run it), sends them, and reschedules failures with exponential backoff.
 */
export class AlertDeliveryWorker extends OutboxWorker {
  constructor(
    private readonly db: DataSource,
    private readonly mailer: Transporter | null,
    private readonly mailFrom: string,
    private readonly logger: Logger,
    private readonly outbound: OutboundPolicy,
    private readonly options: DeliveryOptions,
    /** Null without SMS settings: an sms delivery then fails and waits, as an email does without SMTP. */
    private readonly sms: SmsSender | null = null,
  ) {
    super(options.pollMs, (err) => logger.error({ err }, 'alert delivery run failed'));
  }

  protected async drain(): Promise<void> {
    for (;;) {
      const batch = await this.claim();
      if (batch.length === 0) return;
      await Promise.all(batch.map((d) => this.deliver(d)));
    }
  }

  private claim(): Promise<Claimed[]> {
    const $ = CLAIM.sql;
    return updateReturning<Claimed>(
      this.db,
      `WITH due AS (
         SELECT id FROM alert_deliveries
          WHERE delivered_at IS NULL AND next_attempt_at <= now() AND attempts < ${$.maxAttempts}
          ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
       -- A webhook goes to the organisation's URL of now, which is set together with the secret it is signed with.
       UPDATE alert_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${$.leaseMs}::double precision / 1000),
              target = CASE WHEN d.channel = 'webhook' THEN coalesce(o.alert_webhook_url, d.target) ELSE d.target END
         FROM due, alerts a JOIN organizations o ON o.id = a.organization_id
        WHERE d.id = due.id AND a.id = d.alert_id
       RETURNING d.id, d.channel, d.target, d.attempts, a.id AS alert_id, a.organization_id, a.severity, a.kind, a.metric_code, a.threshold, a.value,
                 a.message, a.triggered_at, o.alert_webhook_secret AS webhook_secret`,
      CLAIM.values({ leaseMs: this.options.leaseMs, maxAttempts: this.options.maxAttempts }),
    );
  }

  private async deliver(delivery: Claimed): Promise<void> {
    try {
      if (delivery.channel === 'webhook') await this.post(delivery);
      else if (delivery.channel === 'sms') await this.text(delivery);
      else await this.mail(delivery);
      await this.db.query(
        `UPDATE alert_deliveries SET delivered_at = now(), last_error = NULL WHERE id = ${DELIVERED.sql.id}`,
        DELIVERED.values({ id: delivery.id }),
      );
    } catch (err) {
      const delay = backoffDelay(delivery.attempts, this.options.baseDelayMs, 3600_000);
      const message = err instanceof Error ? err.message : String(err);
      const $ = FAILED.sql;
      await this.db.query(
        `UPDATE alert_deliveries SET last_error = ${$.error}, next_attempt_at = now() + make_interval(secs => ${$.delayMs}::double precision / 1000) WHERE id = ${$.id}`,
        FAILED.values({ id: delivery.id, error: message.slice(0, 1000), delayMs: delay }),
      );
      this.logger.warn(
        { deliveryId: delivery.id, channel: delivery.channel, attempt: delivery.attempts, retryInMs: delay, err: message },
        'alert delivery failed',
      );
    }
  }

  private payload(d: Claimed) {
    return {
      id: d.alert_id,
      type: `alert.${d.kind}`,
      organizationId: d.organization_id,
      severity: d.severity,
      metric: d.metric_code,
      threshold: d.threshold,
      value: d.value,
      message: d.message,
      triggeredAt: d.triggered_at.toISOString(),
    };
  }

  /** The target is checked again here: it may predate the checks, and its name may resolve elsewhere since. */
  private async post(d: Claimed): Promise<void> {
    const body = JSON.stringify(this.payload(d));
    const status = await postToTarget(this.outbound, d.target, body, {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Meterly-Webhooks/1',
        'meterly-event-id': d.alert_id,
        'meterly-signature': signWebhook(d.webhook_secret ?? '', body, Math.floor(Date.now() / 1000)),
      },
      timeoutMs: 10_000,
    });
    if (status >= 300 && status < 400) throw new Error(`webhook answered HTTP ${status}; redirects are not followed`);
    if (status < 200 || status >= 300) throw new Error(`webhook answered HTTP ${status}`);
  }

  /** One short text: the severity and the message, cut to what one or two SMS segments hold. */
  private async text(d: Claimed): Promise<void> {
    if (!this.sms) throw new Error('SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM are not set: SMS alerts wait in the outbox');
    const body = `[Meterly] ${d.severity}: ${d.message}`;
    await this.sms.send(d.target, body.length > 300 ? `${body.slice(0, 299)}…` : body);
  }

  private async mail(d: Claimed): Promise<void> {
    if (!this.mailer) throw new Error('SMTP_URL is not set: email alerts wait in the outbox');
    const p = this.payload(d);
    await this.mailer.sendMail({
      from: this.mailFrom,
      to: d.target,
      subject: `[Meterly] ${p.severity}: ${p.message}`,
      text: [
        p.message,
        '',
        `Severity: ${p.severity}`,
        `Threshold: ${p.threshold}`,
        `Value: ${p.value}`,
        `When: ${p.triggeredAt}`,
        `Alert: ${p.id}`,
      ].join('\n'),
    });
  }
}
