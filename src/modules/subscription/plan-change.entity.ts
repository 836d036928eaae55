import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export enum PlanChangeKind {
  SUBSCRIBED = 'subscribed',
  UPGRADED = 'upgraded',
  DOWNGRADE_SCHEDULED = 'downgrade_scheduled',
  DOWNGRADED = 'downgraded',
  CANCEL_SCHEDULED = 'cancel_scheduled',
  CANCELED = 'canceled',
  CLOSED = 'account_closed',
}

/** Every change of an organisation's subscription, with who asked for it. */
@Entity({ name: 'plan_changes' })
@Index('ix_plan_changes_org', ['organizationId', 'effectiveAt'])
export class PlanChange {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  kind!: PlanChangeKind;

  @Column({ name: 'from_plan_id', type: 'uuid', nullable: true })
  fromPlanId!: string | null;

  @Column({ name: 'to_plan_id', type: 'uuid', nullable: true })
  toPlanId!: string | null;

  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt!: Date;

  /** The API key that asked, or "system" for the scheduler. */
  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
