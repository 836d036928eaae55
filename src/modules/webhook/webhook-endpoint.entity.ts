import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Where the platform's own systems receive events: one per URL a platform admin registers.
 * Endpoints belong to the platform, not to a tenant (events of every organisation go to
 * them), so the table has no organisation and is replicated like the catalogue.
 */
@ObjectType({ description: 'A URL the platform receives signed events at (README: Webhooks). Managed by platform admins only.' })
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpoint {
  @Field(() => ID, { description: 'The endpoint, for deleteWebhookEndpoint and webhookDeliveries.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Where events are POSTed: https, or http for a host of WEBHOOK_ALLOWED_HOSTS.' })
  @Column({ type: 'text' })
  url!: string;

  @Field(() => [String], { description: 'The event types sent to it, such as "invoice.paid"; every type unless narrowed at creation.' })
  @Column({ name: 'event_types', type: 'text', array: true })
  events!: string[];

  /**
   * Kept in clear, unlike API keys (stored as hashes): every delivery is signed with it,
   * and a hash cannot sign. Shown once, when the endpoint is created.
   */
  @Column({ type: 'text' })
  secret!: string;

  /** The API key that registered it. */
  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Field(() => Date, { description: 'When it was registered.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description:
      'Set when WEBHOOK_DISABLE_AFTER deliveries in a row failed every attempt; while disabled its events wait, ' +
      'and enableWebhookEndpoint sends them. Null while enabled.',
  })
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @Field(() => Int, { description: 'Deliveries in a row that failed every attempt; 0 after any success.' })
  @Column({ name: 'consecutive_failures', type: 'int', default: 0 })
  consecutiveFailures!: number;

  /** Deleted endpoints stay for their delivery log; they get no deliveries and are not listed. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
