import { Field, ID, InputType, Int } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { BaseFeeTiming } from '../base-fee-timing';
import { PlanChangePolicy } from '../plan-change-policy';
import { PriceModel } from '../price-model';

@InputType({ description: 'One tier of a GRADUATED or VOLUME price; tiers ascend and only the last has no upTo (INVALID_TIERS).' })
export class TierInput {
  @Field(() => DecimalScalar, { nullable: true, description: 'Upper bound of the tier (inclusive); null on the last tier.' })
  upTo?: string | null;

  @Field(() => DecimalScalar, { description: 'Price of each unit in this tier: at least 0, 15 digits before the point and 12 after.' })
  unitPrice!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'Flat amount added when usage reaches this tier.' })
  flatPrice?: string | null;
}

@InputType({ description: 'A rate-card entry of a PER_UNIT charge.' })
export class DimensionPriceInput {
  @Field(() => JSONScalar, { description: '{"model": "gpt-4"}: events with these dimensions get this unit price.' })
  dimensions!: unknown;

  @Field(() => DecimalScalar, { description: 'Price of one unit of such events: at least 0, 15 digits before the point and 12 after.' })
  unitPrice!: string;
}

@InputType({
  description:
    "What a plan includes, limits and charges for one metric; a model's own fields are required with it and refused with another (INVALID_CHARGE).",
})
export class PlanChargeInput {
  @Field({ description: 'The metric code (UNKNOWN_METRIC otherwise); once per plan (DUPLICATE_CHARGE).' })
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

  @Field(() => DecimalScalar, { nullable: true, description: 'PER_UNIT: price of one unit (and the default of a rate card).' })
  unitPrice?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'PACKAGE: units per block, above 0.' })
  packageSize?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'PACKAGE: price of each started block.' })
  packagePrice?: string | null;

  @Field(() => [TierInput], { nullable: true, description: 'GRADUATED and VOLUME: the tiers, lowest first.' })
  tiers?: TierInput[] | null;

  @Field(() => [DimensionPriceInput], {
    nullable: true,
    description:
      'PER_UNIT: a rate card, unit prices by event dimensions; an event it does not price is rejected (UNPRICED_DIMENSIONS) unless unitPrice is set.',
  })
  dimensionPrices?: DimensionPriceInput[] | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'Dimension name to the only values allowed, e.g. {"connector": ["notion", "google_workspace"]}: an event with another ' +
      'value, or without the dimension, is refused with NOT_ENTITLED (DIMENSION_NOT_ALLOWED) and never billed. At most 20 ' +
      'dimensions of 1 to 100 distinct strings (1 to 200 characters each); otherwise BAD_USER_INPUT (INVALID_ALLOWED_DIMENSIONS). ' +
      'Omitted: any value.',
  })
  allowedDimensions?: unknown;

  @Field(() => String, {
    nullable: true,
    description:
      'A feature code (e.g. "managed_bedrock") that must be enabled for the organisation, by the plan\'s features or an ' +
      'override, for this metric to be recorded; otherwise its events are refused with NOT_ENTITLED (FEATURE_DISABLED). ' +
      'A feature the plan does not name counts as disabled. A malformed code: BAD_USER_INPUT (INVALID_FEATURE).',
  })
  requiresFeature?: string | null;
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

@InputType({ description: "A new plan. Amounts are in its currency, at most 15 digits before the point and its minor unit's decimals." })
export class CreatePlanInput {
  @Field({
    description:
      'Stable identifier, unique (DUPLICATE_CODE): a lower-case letter, then up to 62 lower-case letters, digits and underscores (INVALID_CODE).',
  })
  code!: string;

  @Field({ description: 'Display name, 1 to 200 characters (INVALID_NAME).' })
  name!: string;

  @Field({ description: 'ISO 4217 code, e.g. "USD" (INVALID_CURRENCY).' })
  currency!: string;

  @Field(() => DecimalScalar, { description: 'Fixed fee per period, at least 0.' })
  basePrice!: string;

  @Field(() => [PlanChargeInput], {
    description: 'One per metric the plan charges or includes; a metric without a charge is not in the plan.',
  })
  charges!: PlanChargeInput[];

  @Field(() => DecimalScalar, { nullable: true, description: 'Cost alerts and overage protection are measured against it.' })
  monthlyBudget?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: usage past the budget is rejected with QUOTA_EXCEEDED.' })
  autoPauseAtBudget?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Past it, recordUsage answers RATE_LIMITED.' })
  requestsPerMinute?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Events accepted per clock hour (UTC), counted like requestsPerMinute; past it, recordUsage answers RATE_LIMITED. At least 1.',
  })
  requestsPerHour?: number | null;

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
