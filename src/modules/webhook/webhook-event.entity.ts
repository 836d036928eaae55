import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event as it happened, written in the transaction of the change it reports; its id is
 * the one every delivery and retry carries. `dedupKey`, when a producer may report one
 * change twice (a payment failure seen by the charge and by Stripe's webhook), keeps it once.
 */
@Entity({ name: 'webhook_events' })
@Index('uq_webhook_events_dedup', ['organizationId', 'dedupKey'], { unique: true })
// The invoice timeline's lookup by the invoice id in `data`: an expression index, made by its migration (InvoiceEventIndex).
@Index('ix_webhook_events_invoice', { synchronize: false })
export class WebhookEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'dedup_key', type: 'text', nullable: true })
  dedupKey!: string | null;

  /** Real time (transaction time), also for organisations on a test clock; `data` holds the business dates. */
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
