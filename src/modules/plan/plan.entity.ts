import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, MONEY_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';

@ObjectType({ description: 'A price list: base fee, and for each metric what is included, limited and charged.' })
@Entity({ name: 'plans' })
@Check('CHK_plans_bounded', boundsCheck({ base_price: MONEY_BOUNDS, monthly_budget: MONEY_BOUNDS }))
export class Plan {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text', unique: true })
  code!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field()
  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'base_price', type: 'numeric' })
  basePriceAmount!: string;

  @Field({ description: 'Billing interval; periods are calendar months in UTC.' })
  @Column({ name: 'billing_interval', type: 'text', default: 'month' })
  interval!: string;

  @Field(() => DecimalScalar, { nullable: true })
  @Column({ name: 'monthly_budget', type: 'numeric', nullable: true })
  monthlyBudget!: string | null;

  @Field()
  @Column({ name: 'auto_pause_at_budget', type: 'boolean', default: false })
  autoPauseAtBudget!: boolean;

  @Field(() => Int, { nullable: true })
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
