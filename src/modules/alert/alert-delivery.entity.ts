import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The durable outbox of email, webhook and SMS deliveries: written in the same
 * transaction as the alert, sent by a worker with exponential backoff, so no
 * alert is lost when the receiver or this server is down.
 */
@Entity({ name: 'alert_deliveries' })
@Index('ix_alert_deliveries_due', ['nextAttemptAt'], { where: '"delivered_at" IS NULL' })
export class AlertDelivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The alert's organisation, copied onto the row so the row lives on the same shard. */
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'alert_id', type: 'uuid' })
  alertId!: string;

  @Column({ type: 'text' })
  channel!: string;

  /** An email address, a webhook URL or a phone number (E.164). */
  @Column({ type: 'text' })
  target!: string;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
