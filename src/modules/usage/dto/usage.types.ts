import { Field, Float, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';

@InputType({ description: 'A half-open time range [from, to).' })
export class PeriodInput {
  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;
}

@InputType()
export class UsageFilterInput {
  @Field(() => String, { nullable: true })
  team?: string | null;

  @Field(() => String, { nullable: true })
  project?: string | null;

  @Field(() => String, { nullable: true })
  user?: string | null;

  @Field(() => String, { nullable: true, description: 'A metric code.' })
  metric?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Events whose dimensions include these, e.g. {"model": "gpt-4"}.' })
  dimensions?: unknown;
}

@ObjectType({ description: "One metric's usage in the period, against the plan." })
export class MetricUsage {
  @Field()
  metric!: string;

  @Field()
  unit!: string;

  @Field(() => DecimalScalar)
  used!: string;

  @Field(() => DecimalScalar, { nullable: true })
  included!: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  limit!: string | null;

  @Field(() => DecimalScalar, { nullable: true })
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

@ObjectType()
export class UsageReport {
  @Field(() => Date)
  periodStart!: Date;

  @Field(() => Date)
  periodEnd!: Date;

  @Field(() => [MetricUsage])
  metrics!: MetricUsage[];

  @Field(() => Money, { description: "Sum of the metrics' costs (usage only, without the base fee)." })
  totalCost!: Money;
}

export enum Granularity {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(Granularity, { name: 'Granularity', description: 'Bucket size of a time series (MINUTE: ranges up to 24 hours).' });

@ObjectType()
export class UsagePoint {
  @Field(() => Date, { description: 'Start of the bucket.' })
  at!: Date;

  @Field(() => DecimalScalar)
  quantity!: string;

  @Field(() => DecimalScalar, { description: "Unrounded cost of the bucket's events." })
  cost!: string;
}

@ObjectType()
export class UsageSeries {
  @Field()
  metric!: string;

  @Field(() => Granularity)
  granularity!: Granularity;

  @Field(() => [UsagePoint])
  points!: UsagePoint[];
}
