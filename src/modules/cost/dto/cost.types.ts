import { Field, Float, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';

@ObjectType({ description: 'An event dimension of groupBy, and the value the group has for it.' })
export class DimensionValue {
  @Field({ description: 'The dimension key, as given in groupBy, e.g. "model".' })
  key!: string;

  @Field(() => String, { nullable: true, description: 'Its value, e.g. "gpt-4"; null where the usage had none (unallocated).' })
  value!: string | null;
}

@ObjectType({
  description:
    "The group a cost row or series is for, typed: a field for each of groupBy's keys. A field is null when its key is not in groupBy, or when the usage had no value for it (the row is then unallocated).",
})
export class CostGroup {
  @Field(() => String, { nullable: true, description: 'The team key, with groupBy "team".' })
  team!: string | null;

  @Field(() => String, { nullable: true, description: 'The project key, with groupBy "project".' })
  project!: string | null;

  @Field(() => String, { nullable: true, description: 'The user key, with groupBy "user".' })
  user!: string | null;

  @Field(() => String, { nullable: true, description: 'The metric code, with groupBy "metric".' })
  metric!: string | null;

  @Field(() => String, { nullable: true, description: 'The team\'s department, with groupBy "department".' })
  department!: string | null;

  @Field(() => [DimensionValue], { description: "The other keys of groupBy (event dimensions), in groupBy's order; empty without any." })
  dimensions!: DimensionValue[];
}

@ObjectType({ description: 'The cost of one group of usage in a cost breakdown.' })
export class CostRow {
  @Field(() => JSONScalar, { description: '{"team": "engineering", "model": "gpt-4"}; null where usage had none (unallocated).' })
  group!: Record<string, string | null>;

  @Field(() => CostGroup, { description: 'The same group, typed: the keys of groupBy as fields.' })
  groupKey!: CostGroup;

  @Field(() => Money, { description: "The group's cost, rounded to the currency's minor unit." })
  cost!: Money;

  @Field(() => Float, { description: "Of the total; the rows' shares sum to 1." })
  share!: number;

  @Field({ description: 'Some grouped field was empty on this usage: it is explicitly unallocated, not dropped.' })
  unallocated!: boolean;
}

@ObjectType({ description: "A period's usage cost split into groups (cost allocation)." })
export class CostBreakdown {
  @Field(() => Money, { description: 'Equals usage.totalCost for the same period, and the usage lines of its invoice.' })
  total!: Money;

  @Field(() => [CostRow], { description: 'Largest first; rounded rows that sum exactly to the total.' })
  rows!: CostRow[];
}

@ObjectType({ description: "One day's cost of a group." })
export class CostPoint {
  @Field(() => Date, { description: 'The day (00:00 UTC).' })
  at!: Date;

  @Field(() => DecimalScalar, { description: 'Unrounded cost of the day.' })
  cost!: string;
}

@ObjectType({ description: "One group's daily cost, for charts." })
export class CostSeries {
  @Field(() => JSONScalar, { description: 'The group, as in CostRow.group: {"team": "engineering"}; null where usage had none.' })
  group!: Record<string, string | null>;

  @Field(() => CostGroup, { description: 'The same group, typed: the keys of groupBy as fields.' })
  groupKey!: CostGroup;

  @Field(() => [CostPoint], { description: 'One point per day with usage, oldest first.' })
  points!: CostPoint[];
}
