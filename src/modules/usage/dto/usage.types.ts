import { Field, Float, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';

@InputType({ description: 'A half-open time range [from, to).' })
export class PeriodInput {
  @Field(() => Date, { description: 'Start, inclusive.' })
  from!: Date;

  @Field(() => Date, { description: 'End, exclusive.' })
  to!: Date;
}

@InputType({ description: 'Only the usage that matches every field given.' })
export class UsageFilterInput {
  @Field(() => String, { nullable: true, description: 'Only usage allocated to this team key.' })
  team?: string | null;

  @Field(() => String, { nullable: true, description: 'Only usage allocated to this project key.' })
  project?: string | null;

  @Field(() => String, { nullable: true, description: 'Only usage allocated to this user key.' })
  user?: string | null;

  @Field(() => String, { nullable: true, description: 'A metric code.' })
  metric?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Events whose dimensions include these, e.g. {"model": "gpt-4"}.' })
  dimensions?: unknown;
}

@ObjectType({ description: "One metric's usage in the period, against the plan." })
export class MetricUsage {
  @Field({ description: 'The metric code.' })
  metric!: string;

  @Field({ description: 'The metric\'s unit, e.g. "token".' })
  unit!: string;

  @Field(() => DecimalScalar, { description: "The period's quantity, aggregated as the metric says." })
  used!: string;

  @Field(() => DecimalScalar, { nullable: true, description: "The plan's free quantity; null: none." })
  included!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: "The plan's quota; null: none." })
  limit!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'limit less used, never below 0; null without a limit.' })
  remaining!: string | null;

  @Field({ description: 'The plan charges this metric with no limit: usage is never refused or capped by it.' })
  unlimited!: boolean;

  @Field(() => Float, { nullable: true, description: 'used / limit × 100.' })
  percentage!: number | null;

  @Field(() => Money, { description: "Rounded to the currency's minor unit." })
  cost!: Money;

  @Field({ description: 'At least 80 % of the limit is used.' })
  nearLimit!: boolean;

  @Field({ description: 'New usage is refused: a hard limit is reached, or the budget with auto-pause.' })
  blocked!: boolean;
}

@ObjectType({ description: "An organisation's usage in a period, per metric, against its plan." })
export class UsageReport {
  @Field(() => Date, { description: 'Start of the period reported, inclusive.' })
  periodStart!: Date;

  @Field(() => Date, { description: 'End of the period reported, exclusive.' })
  periodEnd!: Date;

  @Field(() => [MetricUsage], { description: 'One entry per metric the plan charges or that was used.' })
  metrics!: MetricUsage[];

  @Field(() => Money, { description: "Sum of the metrics' costs (usage only, without the base fee)." })
  totalCost!: Money;
}

export enum Granularity {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(Granularity, {
  name: 'Granularity',
  description: 'Bucket size of a time series (MINUTE: ranges up to 24 hours).',
  valuesConfig: {
    MINUTE: { description: 'One point per minute; the period may cover at most 24 hours (INVALID_PERIOD).' },
    HOUR: { description: 'One point per clock hour (UTC).' },
    DAY: { description: 'One point per day (UTC).' },
  },
});

@ObjectType({ description: 'One bucket of a usage series.' })
export class UsagePoint {
  @Field(() => Date, { description: 'Start of the bucket.' })
  at!: Date;

  @Field(() => DecimalScalar, { description: "The bucket's quantity, aggregated as the metric says." })
  quantity!: string;

  @Field(() => DecimalScalar, { description: "Unrounded cost of the bucket's events." })
  cost!: string;
}

@ObjectType({ description: "A metric's usage over time, bucket by bucket." })
export class UsageSeries {
  @Field({ description: 'The metric code.' })
  metric!: string;

  @Field(() => Granularity, { description: 'The bucket size.' })
  granularity!: Granularity;

  @Field(() => [UsagePoint], { description: 'The buckets, oldest first.' })
  points!: UsagePoint[];
}
