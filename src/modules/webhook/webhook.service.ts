import { randomBytes } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { updateReturning } from '../../common/database/batch-load';
import { assertId } from '../../common/errors/common-error';
import { CursorKey, pageOf, pageRequest, type Page, type PageSize } from '../../common/graphql/pagination';
import { OutboundRefusal, type OutboundPolicy } from '../../common/http/outbound-target';
import { isPlatformEventType, PLATFORM_EVENT_TYPES } from './platform-event-type';
import { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookError, WebhookErrorReason } from './webhook.error';

const REFUSALS: Record<OutboundRefusal, WebhookErrorReason> = {
  [OutboundRefusal.INVALID_URL]: WebhookErrorReason.INVALID_URL,
  [OutboundRefusal.URL_TOO_LONG]: WebhookErrorReason.URL_TOO_LONG,
  [OutboundRefusal.HTTPS_REQUIRED]: WebhookErrorReason.HTTPS_REQUIRED,
  [OutboundRefusal.INTERNAL_ADDRESS]: WebhookErrorReason.INTERNAL_ADDRESS,
};

/** The longest delivery log page. */
/** Pages of `webhookDeliveries`. */
export const DELIVERY_PAGE: PageSize = { default: 20, max: 100 };

/**
 * The platform's webhook endpoints and their delivery log. Platform admins only: endpoints
 * receive the events of every organisation.
 */
export class WebhookService {
  constructor(
    private readonly db: DataSource,
    private readonly outbound: OutboundPolicy,
    /** Wakes the delivery worker (a redelivery or a re-enabled endpoint is sent at once). */
    private readonly kick: () => void,
  ) {}

  /** Endpoints not deleted, oldest first. */
  list(principal: Principal): Promise<WebhookEndpoint[]> {
    assertCan(principal, Permission.MANAGE_WEBHOOKS);
    return this.db.getRepository(WebhookEndpoint).find({ where: { deletedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Registers `url` for `events` (every type when null) with a new secret, returned once. The URL
   * passes the alert webhook's checks (https unless WEBHOOK_ALLOWED_HOSTS allows its host, no
   * internal address), and each delivery checks what its name resolves to again.
   */
  async create(
    principal: Principal,
    url: string,
    events?: readonly string[] | null,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    assertCan(principal, Permission.MANAGE_WEBHOOKS);
    const checked = this.outbound.check(url, 'The webhook URL');
    if (!checked.ok) throw new WebhookError(REFUSALS[checked.refusal], checked.message);
    const types = events ? [...new Set(events)] : [...PLATFORM_EVENT_TYPES];
    const unknown = types.filter((type) => !isPlatformEventType(type));
    if (unknown.length > 0) {
      throw new WebhookError(
        WebhookErrorReason.UNKNOWN_EVENT_TYPE,
        `Unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}; valid types: ${PLATFORM_EVENT_TYPES.join(', ')}`,
        { validTypes: [...PLATFORM_EVENT_TYPES] },
      );
    }
    if (types.length === 0)
      throw new WebhookError(WebhookErrorReason.NO_EVENT_TYPES, 'events may not be empty; leave it out to receive every type');
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const repo = this.db.getRepository(WebhookEndpoint);
    const endpoint = await repo.save(
      repo.create({ url: checked.url.toString(), events: types, secret, createdBy: principal.apiKeyId, disabledAt: null, deletedAt: null }),
    );
    return { endpoint, secret };
  }

  /** Deletes an endpoint: it gets no further deliveries, and those still pending are CANCELED. */
  async delete(principal: Principal, idInput: string): Promise<boolean> {
    assertCan(principal, Permission.MANAGE_WEBHOOKS);
    const id = assertId(idInput, 'endpoint id');
    await this.db.transaction(async (tx) => {
      const deleted = await updateReturning<{ id: string }>(
        tx,
        `UPDATE webhook_endpoints SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
        [id],
      );
      if (deleted.length === 0) throw this.endpointNotFound(id);
      await tx.query(
        `UPDATE webhook_deliveries SET status = '${WebhookDeliveryStatus.CANCELED}', next_attempt_at = NULL
          WHERE endpoint_id = $1 AND status = '${WebhookDeliveryStatus.PENDING}'`,
        [id],
      );
    });
    return true;
  }

  /** Enables an endpoint disabled after repeated failures; the events that waited meanwhile are sent. */
  async enable(principal: Principal, idInput: string): Promise<WebhookEndpoint> {
    assertCan(principal, Permission.MANAGE_WEBHOOKS);
    const id = assertId(idInput, 'endpoint id');
    const repo = this.db.getRepository(WebhookEndpoint);
    const endpoint = await repo.findOneBy({ id });
    if (!endpoint || endpoint.deletedAt) throw this.endpointNotFound(id);
    await repo.update({ id }, { disabledAt: null, consecutiveFailures: 0 });
    this.kick();
    return Object.assign(endpoint, { disabledAt: null, consecutiveFailures: 0 });
  }

  /** An endpoint's deliveries, newest first; a deleted endpoint's log can still be read. */
  async deliveries(
    principal: Principal,
    endpointIdInput: string,
    first = DELIVERY_PAGE.default,
    after?: string | null,
  ): Promise<Page<WebhookDelivery>> {
    assertCan(principal, Permission.MANAGE_WEBHOOKS);
    const endpointId = assertId(endpointIdInput, 'endpoint id');
    const page = pageRequest(first, after, DELIVERY_PAGE.max, CursorKey.serial);
    if (!(await this.db.getRepository(WebhookEndpoint).existsBy({ id: endpointId }))) throw this.endpointNotFound(endpointId);
    const qb = this.db
      .getRepository(WebhookDelivery)
      .createQueryBuilder('d')
      .where('d.endpointId = :endpointId', { endpointId })
      .orderBy('d.seq', 'DESC')
      .take(page.first + 1);
    if (page.after) qb.andWhere('d.seq < :after', { after: page.after[0] });
    return pageOf(await qb.getMany(), page.first, (d) => [d.seq]);
  }

  /**
   * Sends an event to an endpoint again, as a new delivery with the same event id (the log keeps
   * the old one). Any delivery may be sent again, a FAILED one mostly.
   */
  async redeliver(principal: Principal, deliveryIdInput: string): Promise<WebhookDelivery> {
    assertCan(principal, Permission.MANAGE_WEBHOOKS);
    const id = assertId(deliveryIdInput, 'delivery id');
    const original = await this.db.getRepository(WebhookDelivery).findOneBy({ id });
    if (!original) throw new WebhookError(WebhookErrorReason.DELIVERY_NOT_FOUND, `Webhook delivery ${id} does not exist`);
    const endpoint = await this.db.getRepository(WebhookEndpoint).findOneBy({ id: original.endpointId });
    if (!endpoint || endpoint.deletedAt) throw this.endpointNotFound(original.endpointId);
    const repo = this.db.getRepository(WebhookDelivery);
    const copy = await repo.save(
      repo.create({
        organizationId: original.organizationId,
        eventId: original.eventId,
        endpointId: original.endpointId,
        eventType: original.eventType,
      }),
    );
    // Read before the worker is woken, so the answer is the delivery as queued, not wherever the worker has taken it.
    const queued = await repo.findOneByOrFail({ organizationId: copy.organizationId, id: copy.id });
    this.kick();
    return queued;
  }

  private endpointNotFound(id: string) {
    return new WebhookError(WebhookErrorReason.ENDPOINT_NOT_FOUND, `Webhook endpoint ${id} does not exist`);
  }
}
