import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** What an email tells: an invoice was issued, or it was paid. */
export enum StatementKind {
  INVOICE = 'invoice',
  RECEIPT = 'receipt',
}

/**
 * The durable outbox of statement emails, one row per invoice, kind and billing
 * contact: written in the transaction that issues or pays the invoice, sent by
 * StatementDeliveryWorker. `delivered_at` is set once the SMTP server accepted
 * the message, and a delivered row is never claimed again.
 */
@Entity({ name: 'statement_deliveries' })
@Index('uq_statement_deliveries_recipient', ['organizationId', 'invoiceId', 'kind', 'recipient'], { unique: true })
@Index('ix_statement_deliveries_due', ['nextAttemptAt'], { where: '"delivered_at" IS NULL' })
export class StatementDelivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The invoice's organisation, so the row lives on its shard. */
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId!: string;

  @Column({ type: 'text' })
  kind!: StatementKind;

  /** The billing contact's email address when it was queued. */
  @Column({ type: 'text' })
  recipient!: string;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  /** The Message-ID and the server's reply when it accepted the message: the record that it was sent. */
  @Column({ name: 'smtp_message_id', type: 'text', nullable: true })
  smtpMessageId!: string | null;

  @Column({ name: 'smtp_response', type: 'text', nullable: true })
  smtpResponse!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
