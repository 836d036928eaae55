import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { Role } from '../../common/auth/role';
import type { Principal } from '../../common/auth/principal';
import { updateReturning } from '../../common/database/batch-load';
import { backoffDelay, OutboxWorker } from '../../common/outbox/outbox-poller';
import { namedStatement } from '../../common/database/pg-array';
import { postToTarget } from '../../common/http/outbound-post';
import type { OutboundPolicy } from '../../common/http/outbound-target';
import { signWebhook } from '../../common/http/webhook-signature';
import type { AuditService } from '../audit/audit.service';

export interface WebhookDeliveryOptions {
  /** First retry delay (WEBHOOK_RETRY_BASE_MS); each further one doubles, up to `maxDelayMs`, less up to half of it as jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts before a delivery is FAILED (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** FAILED deliveries in a row that disable their endpoint (WEBHOOK_DISABLE_AFTER). */
  disableAfter: number;
  pollMs: number;
  /** A receiver that has not answered by then has failed the attempt. */
  timeoutMs: number;
  /** A claimed delivery not finished by then (its process died) is tried again. */
  leaseMs: number;
  batchSize: number;
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryOptions = {
  baseDelayMs: 1000,
  maxDelayMs: 3600_000,
  maxAttempts: 12,
  disableAfter: 5,
  pollMs: 1000,
  timeoutMs: 10_000,
  leaseMs: 30_000,
  batchSize: 20,
};

/**
 * The wait before attempt `attempt + 1`: exponential from `baseMs`, capped, with "equal
 * jitter" (between half and all of it) so that the deliveries of one outage do not all
 * come back at the same instant.
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const full = backoffDelay(attempt, baseMs, maxMs);
  return Math.round(full / 2 + (random() * full) / 2);
}

/** What a receiver gets: exactly these fields, in this order, the same bytes on every attempt but for the signature. */
export function eventBody(event: { id: string; type: string; createdAt: Date; organizationId: string; data: unknown }): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    organizationId: event.organizationId,
    data: event.data,
  });
}

interface Claimed {
  id: string;
  organization_id: string;
  attempts: number;
  endpoint_id: string;
  url: string;
  secret: string;
  event_id: string;
  type: string;
  created_at: Date;
  data: unknown;
}

const CLAIM = namedStatement(
  ['leaseMs', 'batchSize'],
  (p) => `WITH due AS (
      SELECT d.organization_id, d.id FROM webhook_deliveries d
       WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
         AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.disabled_at IS NULL AND e.deleted_at IS NULL)
       ORDER BY d.next_attempt_at LIMIT ${p.batchSize} FOR UPDATE OF d SKIP LOCKED)
    UPDATE webhook_deliveries d SET attempts = d.attempts + 1,
           next_attempt_at = now() + make_interval(secs => ${p.leaseMs}::double precision / 1000)
      FROM due, webhook_events ev, webhook_endpoints e
     WHERE d.organization_id = due.organization_id AND d.id = due.id
       AND ev.organization_id = d.organization_id AND ev.id = d.event_id AND e.id = d.endpoint_id
    RETURNING d.id, d.organization_id, d.attempts, d.endpoint_id, e.url, e.secret, ev.id AS event_id, ev.type, ev.created_at, ev.data`,
);

/** Delivered, also when its endpoint was deleted meanwhile (it was sent); the endpoint's run of failures ends. */
const DELIVERED = namedStatement(
  ['organizationId', 'id'],
  (p) => `WITH done AS (
      UPDATE webhook_deliveries SET status = 'DELIVERED', delivered_at = now(), last_error = NULL, next_attempt_at = NULL
       WHERE organization_id = ${p.organizationId} AND id = ${p.id} RETURNING endpoint_id)
    UPDATE webhook_endpoints e SET consecutive_failures = 0 FROM done WHERE e.id = done.endpoint_id AND e.consecutive_failures <> 0`,
);

const RETRY = namedStatement(
  ['organizationId', 'id', 'error', 'delayMs'],
  (p) => `UPDATE webhook_deliveries SET last_error = ${p.error},
           next_attempt_at = now() + make_interval(secs => ${p.delayMs}::double precision / 1000)
     WHERE organization_id = ${p.organizationId} AND id = ${p.id} AND status = 'PENDING'`,
);

/**
 * The last attempt failed: the delivery is FAILED and its endpoint's run of failures grows,
 * disabling it at `disableAfter`. `disabled_at = now()` afterwards means this very statement
 * disabled it (now() is the statement's transaction time, earlier for one disabled before).
 */
const GAVE_UP = namedStatement(
  ['organizationId', 'id', 'error', 'disableAfter'],
  (p) => `WITH failed AS (
      UPDATE webhook_deliveries SET status = 'FAILED', last_error = ${p.error}, next_attempt_at = NULL
       WHERE organization_id = ${p.organizationId} AND id = ${p.id} AND status = 'PENDING' RETURNING endpoint_id)
    UPDATE webhook_endpoints e SET consecutive_failures = e.consecutive_failures + 1,
           disabled_at = CASE WHEN e.disabled_at IS NULL AND e.consecutive_failures + 1 >= ${p.disableAfter} THEN now() ELSE e.disabled_at END
      FROM failed WHERE e.id = failed.endpoint_id
    RETURNING e.id, e.url, e.consecutive_failures, e.disabled_at = now() AS just_disabled`,
);

interface GaveUpRow {
  id: string;
  url: string;
  consecutive_failures: number;
  just_disabled: boolean;
}

/** The audit trail's author for what the worker decides by itself. */
const SYSTEM: Principal = { apiKeyId: 'system', role: Role.PLATFORM_ADMIN, organizationId: null };

/**
 * Sends platform events from the outbox: claims due deliveries with SKIP LOCKED (every
 * server process runs one; none sends a delivery another holds), POSTs each signed, and
 * reschedules failures with exponential backoff. At least once: a process that dies
 * between the POST and its bookkeeping sends that delivery again after the lease.
 */
export class WebhookDeliveryWorker extends OutboxWorker {
  constructor(
    private readonly db: DataSource,
    private readonly outbound: OutboundPolicy,
    private readonly audit: AuditService,
    private readonly logger: Logger,
    private readonly options: WebhookDeliveryOptions,
  ) {
    super(options.pollMs, (err) => logger.error({ err }, 'webhook delivery run failed'));
  }

  protected async drain(): Promise<void> {
    while (!this.poller.stopped) {
      const batch = await updateReturning<Claimed>(
        this.db,
        CLAIM.text,
        CLAIM.values({ leaseMs: this.options.leaseMs, batchSize: this.options.batchSize }),
      );
      if (batch.length === 0) return;
      await Promise.all(batch.map((d) => this.deliver(d)));
    }
  }

  private async deliver(d: Claimed): Promise<void> {
    const body = eventBody({ id: d.event_id, type: d.type, createdAt: d.created_at, organizationId: d.organization_id, data: d.data });
    let failure: string | null = null;
    try {
      // The URL is checked again here: its name may resolve to an internal address since it was registered.
      const status = await postToTarget(this.outbound, d.url, body, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Meterly-Webhooks/1',
          'meterly-event-id': d.event_id,
          'meterly-delivery-id': d.id,
          'meterly-signature': signWebhook(d.secret, body, Math.floor(Date.now() / 1000)),
        },
        timeoutMs: this.options.timeoutMs,
      });
      if (status >= 300 && status < 400) failure = `webhook answered HTTP ${status}; redirects are not followed`;
      else if (status < 200 || status >= 300) failure = `webhook answered HTTP ${status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (failure === null) {
      await this.db.query(DELIVERED.text, DELIVERED.values({ organizationId: d.organization_id, id: d.id }));
      return;
    }
    const error = failure.slice(0, 1000);
    if (d.attempts < this.options.maxAttempts) {
      const delayMs = retryDelay(d.attempts, this.options.baseDelayMs, this.options.maxDelayMs);
      await this.db.query(RETRY.text, RETRY.values({ organizationId: d.organization_id, id: d.id, error, delayMs }));
      // A retry due before the next poll is not left waiting for it.
      if (delayMs < this.options.pollMs) setTimeout(() => this.kick(), delayMs).unref();
      this.logger.warn(
        { deliveryId: d.id, eventId: d.event_id, attempt: d.attempts, retryInMs: delayMs, err: error },
        'webhook delivery failed',
      );
      return;
    }
    const [endpoint] = await updateReturning<GaveUpRow>(
      this.db,
      GAVE_UP.text,
      GAVE_UP.values({ organizationId: d.organization_id, id: d.id, error, disableAfter: this.options.disableAfter }),
    );
    this.logger.warn({ deliveryId: d.id, eventId: d.event_id, attempts: d.attempts, err: error }, 'webhook delivery failed for good');
    if (endpoint?.just_disabled) {
      this.logger.warn({ endpointId: endpoint.id, failures: endpoint.consecutive_failures }, 'webhook endpoint disabled');
      await this.audit.record(
        SYSTEM,
        'webhookEndpointDisabled',
        { id: endpoint.id, url: endpoint.url, consecutiveFailures: endpoint.consecutive_failures },
        { id: endpoint.id, status: 'DISABLED' },
      );
    }
  }
}
