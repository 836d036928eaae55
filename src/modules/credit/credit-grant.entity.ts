import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, MONEY_BOUNDS } from '../../common/money/decimal-bounds';

/** Prepaid balance; consumed soonest-expiring first by invoices, before anything is charged. */
@Entity({ name: 'credit_grants' })
@Check('CHK_credit_grants_bounded', boundsCheck({ amount: MONEY_BOUNDS, remaining: MONEY_BOUNDS }))
@Index('ix_credit_grants_org', ['organizationId', 'expiresAt'])
export class CreditGrant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'numeric' })
  amount!: string;

  @Column({ type: 'numeric' })
  remaining!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'granted_by_key_id', type: 'text', nullable: true })
  grantedByKeyId!: string | null;

  /** On the organisation's clock, so test clocks see grants in order. */
  @Column({ name: 'granted_at', type: 'timestamptz' })
  grantedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
