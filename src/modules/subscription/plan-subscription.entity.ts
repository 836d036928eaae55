import { Field, ID, ObjectType } from 'type-graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { registerWireEnum } from '../../common/graphql/wire-enum';
import { Organization } from '../organization/organization.entity';
import { Plan } from '../plan/plan.entity';

export enum SubscriptionStatus {
  ACTIVE = 'active',
  CANCELED = 'canceled',
}

export const PlanSubscriptionStatus = registerWireEnum(SubscriptionStatus, {
  name: 'PlanSubscriptionStatus',
  description: "A subscription's state; the values are the lowercase strings this field has always returned.",
  values: {
    ACTIVE: 'Running: usage is recorded and billed (also while a cancellation waits for the period end).',
    CANCELED: 'Ended at the close of the period in which it was cancelled: new usage is refused.',
  },
});

/** An organisation's subscription to a plan; one row per organisation, changed in place. */
@ObjectType('PlanSubscription', {
  description: "An organisation's subscription to a plan; one per organisation, changed in place. Periods are calendar months (UTC).",
})
@Entity({ name: 'plan_subscriptions' })
export class PlanSubscription {
  @Field(() => ID, { description: 'The subscription.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_plan_subscriptions_org', { unique: true })
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ name: 'plan_id', type: 'uuid' })
  planId!: string;

  @ManyToOne(() => Plan, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id' })
  plan?: Plan;

  @Field(() => PlanSubscriptionStatus, { description: 'active, or canceled once a cancellation took effect at a period end.' })
  @Column({ type: 'text', default: SubscriptionStatus.ACTIVE })
  status!: SubscriptionStatus;

  @Field(() => Date, { description: 'Start of the current billing period (the first of a month, 00:00 UTC).' })
  @Column({ name: 'current_period_start', type: 'timestamptz' })
  currentPeriodStart!: Date;

  @Field(() => Date, { description: 'End of the current billing period, exclusive: the start of the next.' })
  @Column({ name: 'current_period_end', type: 'timestamptz' })
  currentPeriodEnd!: Date;

  /** The plan the current period began with: its base fee is billed in full, upgrades add prorated items. */
  @Column({ name: 'period_plan_id', type: 'uuid' })
  periodPlanId!: string;

  /** A downgrade waiting for the next period. */
  @Column({ name: 'pending_plan_id', type: 'uuid', nullable: true })
  pendingPlanId!: string | null;

  @ManyToOne(() => Plan, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'pending_plan_id' })
  pendingPlan?: Plan | null;

  @Field({ description: 'cancelSubscription was called: it ends at currentPeriodEnd; changePlan to the current plan withdraws it.' })
  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  cancelAtPeriodEnd!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
