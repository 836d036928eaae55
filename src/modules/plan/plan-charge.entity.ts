import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, PRICE_BOUNDS, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar, JSONScalar } from '../../common/graphql/scalars';
import type { AllowedDimensions } from './charge-access';
import { Metric } from '../metric/metric.entity';
import { Plan } from './plan.entity';
import { PriceModel } from './price-model';
import { DimensionPrice, Tier } from './dto/plan-charge.types';

@ObjectType({ description: 'What a plan includes, limits and charges for one metric.' })
@Entity({ name: 'plan_charges' })
@Check(
  'CHK_plan_charges_bounded',
  boundsCheck({
    included: QUANTITY_BOUNDS,
    usage_limit: QUANTITY_BOUNDS,
    unit_price: PRICE_BOUNDS,
    package_size: QUANTITY_BOUNDS,
    package_price: PRICE_BOUNDS,
  }),
)
@Index('uq_plan_charges_plan_metric', ['planId', 'metricId'], { unique: true })
export class PlanCharge {
  @Field(() => ID, { description: 'The charge.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'plan_id', type: 'uuid' })
  planId!: string;

  // One-sided: the plan's charges are read by plan id (a loader), so Plan needs no back reference.
  @ManyToOne(() => Plan, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: Plan;

  @Column({ name: 'metric_id', type: 'uuid' })
  metricId!: string;

  @ManyToOne(() => Metric, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'metric_id' })
  metric?: Metric;

  @Field(() => DecimalScalar, { nullable: true, description: 'Free quantity per period; null: none.' })
  @Column({ type: 'numeric', nullable: true })
  included!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Quota per period; null: none.' })
  @Column({ name: 'usage_limit', type: 'numeric', nullable: true })
  limit!: string | null;

  @Field({ description: 'true: usage past the limit is refused (QUOTA_EXCEEDED); false: it is billed as overage.' })
  @Column({ name: 'hard_limit', type: 'boolean', default: false })
  hardLimit!: boolean;

  @Field({ description: 'No limit and nothing billed: the metric is included without bounds.' })
  @Column({ type: 'boolean', default: false })
  unlimited!: boolean;

  @Field(() => PriceModel, { description: 'How usage above `included` is priced.' })
  @Column({ type: 'enum', enum: PriceModel, enumName: 'price_model' })
  model!: PriceModel;

  @Field(() => DecimalScalar, { nullable: true, description: 'PER_UNIT: price of one unit (the default of a rate card).' })
  @Column({ name: 'unit_price', type: 'numeric', nullable: true })
  unitPrice!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'PACKAGE: units per block.' })
  @Column({ name: 'package_size', type: 'numeric', nullable: true })
  packageSize!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'PACKAGE: price of each started block.' })
  @Column({ name: 'package_price', type: 'numeric', nullable: true })
  packagePrice!: string | null;

  @Field(() => [Tier], { nullable: true, description: 'GRADUATED and VOLUME: the tiers, lowest first.' })
  @Column({ type: 'jsonb', nullable: true })
  tiers!: Tier[] | null;

  @Field(() => [DimensionPrice], {
    nullable: true,
    description: 'PER_UNIT rate card: unit prices by event dimensions; the most specific match applies.',
  })
  @Column({ name: 'dimension_prices', type: 'jsonb', nullable: true })
  dimensionPrices!: DimensionPrice[] | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'Dimension name to the only values an event may carry, e.g. {"connector": ["notion", "google_workspace"]}: an event with ' +
      'another value, or without the dimension, is refused (NOT_ENTITLED, DIMENSION_NOT_ALLOWED). Null: any value.',
  })
  @Column({ name: 'allowed_dimensions', type: 'jsonb', nullable: true })
  allowedDimensions!: AllowedDimensions | null;

  @Field(() => String, {
    nullable: true,
    description:
      "A feature the organisation's entitlements (plan, then override) must enable for this metric to be recorded at all; " +
      'otherwise its events are refused (NOT_ENTITLED, FEATURE_DISABLED). Null: no gate.',
  })
  @Column({ name: 'requires_feature', type: 'text', nullable: true })
  requiresFeature!: string | null;
}
