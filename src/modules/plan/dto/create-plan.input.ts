import { Field, ID, InputType, Int } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { BaseFeeTiming } from '../base-fee-timing';
import { PlanChangePolicy } from '../plan-change-policy';
import { PriceModel } from '../price-model';

@InputType()
export class TierInput {
  @Field(() => DecimalScalar, { nullable: true, description: 'Upper bound of the tier (inclusive); null on the last tier.' })
  upTo?: string | null;

  @Field(() => DecimalScalar)
  unitPrice!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'Flat amount added when usage reaches this tier.' })
  flatPrice?: string | null;
}

@InputType()
export class DimensionPriceInput {
  @Field(() => JSONScalar, { description: '{"model": "gpt-4"}: events with these dimensions get this unit price.' })
  dimensions!: unknown;

  @Field(() => DecimalScalar)
  unitPrice!: string;
}

@InputType()
export class PlanChargeInput {
  @Field()
  metric!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'Free quantity per period.' })
  included?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Quota per period.' })
  limit?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: usage past the limit is rejected (QUOTA_EXCEEDED); false: billed as overage.',
  })
  hardLimit?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'No limit and nothing billed ("Unlimited"): with model PER_UNIT and no limit, included or prices.',
  })
  unlimited?: boolean | null;

  @Field(() => PriceModel, { description: 'Applies to usage above `included`.' })
  model!: PriceModel;

  @Field(() => DecimalScalar, { nullable: true })
  unitPrice?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  packageSize?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  packagePrice?: string | null;

  @Field(() => [TierInput], { nullable: true })
  tiers?: TierInput[] | null;

  @Field(() => [DimensionPriceInput], { nullable: true })
  dimensionPrices?: DimensionPriceInput[] | null;
}

@InputType({ description: 'A feature the plan grants: a switch, and static values the platform enforces itself.' })
export class PlanFeatureInput {
  @Field({ description: '"sso", "managed_bedrock", "concurrent_requests" ...' })
  feature!: string;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  enabled?: boolean | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Static values, e.g. {"limit": 20}: a JSON object of at most 4 KB.' })
  config?: unknown;
}

@InputType()
export class CreatePlanInput {
  @Field()
  code!: string;

  @Field()
  name!: string;

  @Field()
  currency!: string;

  @Field(() => DecimalScalar)
  basePrice!: string;

  @Field(() => [PlanChargeInput])
  charges!: PlanChargeInput[];

  @Field(() => DecimalScalar, { nullable: true, description: 'Cost alerts and overage protection are measured against it.' })
  monthlyBudget?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: usage past the budget is rejected with QUOTA_EXCEEDED.' })
  autoPauseAtBudget?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Past it, recordUsage answers RATE_LIMITED.' })
  requestsPerMinute?: number | null;

  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Days from issue to due date (30: net-30).' })
  paymentTermsDays?: number | null;

  @Field(() => ID, {
    nullable: true,
    description: 'A custom plan that only this organisation may use and see (a negotiated price); omitted: a catalog plan.',
  })
  organizationId?: string | null;

  @Field(() => [PlanFeatureInput], { nullable: true, description: 'What the plan grants besides its metered charges.' })
  features?: PlanFeatureInput[] | null;

  @Field(() => BaseFeeTiming, {
    nullable: true,
    description: "IN_ADVANCE: each period's base fee is invoiced when the period starts. Default IN_ARREARS (with the usage, at close).",
  })
  baseFeeTiming?: BaseFeeTiming | null;

  @Field(() => PlanChangePolicy, {
    nullable: true,
    description: 'SELF_SERVE: tenant admins may changePlan themselves. Default BY_REQUEST: they ask with requestPlanChange.',
  })
  planChangePolicy?: PlanChangePolicy | null;
}
