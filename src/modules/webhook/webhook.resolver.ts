import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import { encodeCursor, PAGE_SIZE_EXTENSION } from '../../common/graphql/pagination';
import type { RequestContext } from '../../app/request-context';
import { CreateWebhookEndpointPayload } from './dto/webhook.types';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { DELIVERY_PAGE } from './webhook.service';

const PLATFORM_ADMIN_ONLY = 'Platform admins only (FORBIDDEN for every other role).';

@Resolver(() => WebhookDelivery)
export class WebhookResolver {
  @Authorized(Permission.MANAGE_WEBHOOKS)
  @Query(() => [WebhookEndpoint], {
    description: `The platform's webhook endpoints, oldest first; deleted ones are left out. ${PLATFORM_ADMIN_ONLY}`,
  })
  webhookEndpoints(@Ctx() { principal, services }: RequestContext): Promise<WebhookEndpoint[]> {
    return services.webhooks.list(principal);
  }

  @Authorized(Permission.MANAGE_WEBHOOKS)
  @Extensions({ [PAGE_SIZE_EXTENSION]: DELIVERY_PAGE })
  @Query(() => [WebhookDelivery], {
    description:
      `The delivery log of an endpoint (a deleted one's too), newest first. An unknown endpoint is NOT_FOUND ` +
      `(ENDPOINT_NOT_FOUND). ${PLATFORM_ADMIN_ONLY}`,
  })
  async webhookDeliveries(
    @Arg('endpointId', () => ID, { description: 'The endpoint whose deliveries to list.' }) endpointId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 to 100; default 20.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: "The last delivery's `cursor` of the previous page." })
    after: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<WebhookDelivery[]> {
    const page = await services.webhooks.deliveries(principal, endpointId, first ?? DELIVERY_PAGE.default, after);
    return page.edges.map((edge) => edge.node);
  }

  @Authorized(Permission.MANAGE_WEBHOOKS)
  @Mutation(() => CreateWebhookEndpointPayload, {
    description:
      'Registers an endpoint with its own signing secret, shown once. BAD_USER_INPUT for a URL that is not https ' +
      '(HTTPS_REQUIRED; http only for WEBHOOK_ALLOWED_HOSTS), points at an internal address (INTERNAL_ADDRESS), is ' +
      `malformed (INVALID_URL) or too long (URL_TOO_LONG), and for an unknown event type (UNKNOWN_EVENT_TYPE). ${PLATFORM_ADMIN_ONLY}`,
  })
  createWebhookEndpoint(
    @Arg('url', { description: 'Where to POST events.' }) url: string,
    @Arg('events', () => [String], {
      nullable: true,
      description: 'Event types to send, such as "invoice.paid"; every type when left out (not empty: NO_EVENT_TYPES).',
    })
    events: string[] | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CreateWebhookEndpointPayload> {
    return services.webhooks.create(principal, url, events);
  }

  @Authorized(Permission.MANAGE_WEBHOOKS)
  @Mutation(() => Boolean, {
    description:
      'Deletes an endpoint: no further deliveries, and its pending ones are CANCELED. An unknown or already deleted ' +
      `endpoint is NOT_FOUND (ENDPOINT_NOT_FOUND). ${PLATFORM_ADMIN_ONLY}`,
  })
  deleteWebhookEndpoint(@Arg('id', () => ID, { description: 'The endpoint.' }) id: string, @Ctx() { principal, services }: RequestContext) {
    return services.webhooks.delete(principal, id);
  }

  @Authorized(Permission.MANAGE_WEBHOOKS)
  @Mutation(() => WebhookEndpoint, {
    description:
      'Enables an endpoint disabled after repeated failures (its `disabledAt`); the events queued meanwhile are sent. ' +
      `NOT_FOUND (ENDPOINT_NOT_FOUND) for an unknown or deleted one. ${PLATFORM_ADMIN_ONLY}`,
  })
  enableWebhookEndpoint(
    @Arg('id', () => ID, { description: 'The endpoint.' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<WebhookEndpoint> {
    return services.webhooks.enable(principal, id);
  }

  @Authorized(Permission.MANAGE_WEBHOOKS)
  @Mutation(() => WebhookDelivery, {
    description:
      'Sends a delivery again, now, as a new delivery of the same event (same event id). NOT_FOUND for an unknown ' +
      `delivery (DELIVERY_NOT_FOUND) or one whose endpoint was deleted (ENDPOINT_NOT_FOUND). ${PLATFORM_ADMIN_ONLY}`,
  })
  redeliverWebhook(
    @Arg('deliveryId', () => ID, { description: 'A delivery from webhookDeliveries.' }) deliveryId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<WebhookDelivery> {
    return services.webhooks.redeliver(principal, deliveryId);
  }

  @FieldResolver(() => String, { description: 'Pass it as webhookDeliveries(after:) for the deliveries older than this one.' })
  cursor(@Root() delivery: WebhookDelivery): string {
    return encodeCursor([delivery.seq]);
  }
}
