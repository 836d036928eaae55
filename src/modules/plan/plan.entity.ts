import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, MONEY_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';
import { registerWireEnum } from '../../common/graphql/wire-enum';

export enum BillingInterval {
  MONTH = 'month',
}
export const BillingIntervalType = registerWireEnum(BillingInterval, {
  name: 'BillingInterval',
  description: 'How often a plan bills; the values are the lowercase strings Plan.interval has always returned.',
  values: { MONTH: 'Each calendar month, in UTC.' },
});
import { BaseFeeTiming } from './base-fee-timing';
import { PlanChangePolicy } from './plan-change-policy';

@ObjectType({ description: 'A price list: base fee, and for each metric what is included, limited and charged.' })
@Entity({ name: 'plans' })
@Check('CHK_plans_bounded', boundsCheck({ base_price: MONEY_BOUNDS, monthly_budget: MONEY_BOUNDS }))
export class Plan {
  @Field(() => ID, { description: 'The plan.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Stable identifier, e.g. "pro"; createOrganization and changePlan take it.' })
  @Column({ type: 'text', unique: true })
  code!: string;

  @Field({ description: 'Display name, e.g. "Pro".' })
  @Column({ type: 'text' })
  name!: string;

  @Field({ description: 'ISO 4217 code of all its prices; an organisation subscribes only to plans in its currency.' })
  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'base_price', type: 'numeric' })
  basePriceAmount!: string;

  @Field(() => BillingIntervalType, { description: 'Billing interval; periods are calendar months in UTC.' })
  @Column({ name: 'billing_interval', type: 'text', default: BillingInterval.MONTH })
  interval!: BillingInterval;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Amount per period that cost alerts and autoPauseAtBudget measure against; null: none.',
  })
  @Column({ name: 'monthly_budget', type: 'numeric', nullable: true })
  monthlyBudget!: string | null;

  @Field({ description: "true: once the period's cost reaches monthlyBudget, new usage is refused (QUOTA_EXCEEDED, BUDGET_EXHAUSTED)." })
  @Column({ name: 'auto_pause_at_budget', type: 'boolean', default: false })
  autoPauseAtBudget!: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'Accepted usage events per organisation and minute, across all nodes; past it events are RATE_LIMITED. Null: no limit.',
  })
  @Column({ name: 'requests_per_minute', type: 'int', nullable: true })
  requestsPerMinute!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Events accepted per clock hour (UTC); past it, recordUsage answers RATE_LIMITED. Null: no limit.',
  })
  @Column({ name: 'requests_per_hour', type: 'int', nullable: true })
  requestsPerHour!: number | null;

  @Field(() => Int, { description: 'Days from issue to due date: 0 (due on receipt) or e.g. 30 (net-30).' })
  @Column({ name: 'payment_terms_days', type: 'int', default: 0 })
  paymentTermsDays!: number;

  @Field(() => BaseFeeTiming, { description: 'When the base fee is invoiced: IN_ADVANCE (at period start) or IN_ARREARS (at close).' })
  @Column({ name: 'base_fee_timing', type: 'text', default: BaseFeeTiming.IN_ARREARS })
  baseFeeTiming!: BaseFeeTiming;

  @Field(() => PlanChangePolicy, {
    description: "How its organisations' tenant admins change plan: SELF_SERVE (changePlan) or BY_REQUEST (requestPlanChange).",
  })
  @Column({ name: 'plan_change_policy', type: 'text', default: PlanChangePolicy.BY_REQUEST })
  planChangePolicy!: PlanChangePolicy;

  // Plans are reference data shared by every tenant, so this names the organisation without a foreign key to it.
  @Field(() => ID, {
    nullable: true,
    description: 'A custom plan: the one organisation that may use it, and the only tenant that sees it. Null: a catalog plan.',
  })
  @Index('ix_plans_organization', { where: '"organization_id" IS NOT NULL' })
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
