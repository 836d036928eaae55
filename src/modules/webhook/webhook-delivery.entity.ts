import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Every attempt failed (WEBHOOK_MAX_ATTEMPTS); redeliverWebhook tries again. */
  FAILED = 'FAILED',
  /** Its endpoint was deleted before it was delivered. */
  CANCELED = 'CANCELED',
}

/**
 * The outbox of platform events: one row per event and endpoint, written with the event,
 * sent by WebhookDeliveryWorker with exponential backoff. It lives with its event's
 * organisation; the endpoint it goes to is a reference row.
 */
@ObjectType({ description: 'One event sent to one endpoint: its attempts so far and how they went. Platform admins only.' })
@Entity({ name: 'webhook_deliveries' })
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" = 'PENDING'` })
@Index('ix_webhook_deliveries_endpoint', ['endpointId', 'seq'])
@Index('ix_webhook_deliveries_event', ['organizationId', 'eventId'])
export class WebhookDelivery {
  @Field(() => ID, { description: 'The delivery, for redeliverWebhook.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order, the delivery log's keyset: one statement queues many deliveries at one time. */
  @Column({ type: 'bigint', generated: 'increment' })
  seq!: string;

  @Field(() => ID, { description: 'The organisation the event is about.' })
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Field(() => ID, { description: 'The event: the "id" of the body, the same on every attempt and redelivery.' })
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Field(() => ID, { description: 'The endpoint it goes to.' })
  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @Field({ description: 'The event type, such as "invoice.issued".' })
  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Field(() => String, {
    description:
      'PENDING (waiting or being retried), DELIVERED (a 2xx answer), FAILED (every attempt failed; redeliverWebhook ' +
      'tries again) or CANCELED (its endpoint was deleted first).',
  })
  @Column({ type: 'enum', enum: WebhookDeliveryStatus, enumName: 'webhook_delivery_status', default: WebhookDeliveryStatus.PENDING })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'POSTs made so far.' })
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due, while PENDING; null otherwise.' })
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true, default: () => 'now()' })
  nextAttemptAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last attempt failed ("webhook answered HTTP 500", a timeout, ...); null once delivered.',
  })
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the endpoint answered 2xx; null until then.' })
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Field(() => Date, { description: 'When the event was queued for this endpoint (or redelivery was asked for).' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
