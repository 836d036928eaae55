import { CreateDateColumn, Column, Entity, PrimaryColumn } from 'typeorm';

/** Stripe webhook events already handled: each id is applied once, however often Stripe sends it. */
@Entity({ name: 'stripe_events' })
export class StripeEvent {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
