import { Field, Float, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';

@ObjectType()
export class CostRow {
  @Field(() => JSONScalar, { description: '{"team": "engineering", "model": "gpt-4"}; null where usage had none (unallocated).' })
  group!: Record<string, string | null>;

  @Field(() => Money)
  cost!: Money;

  @Field(() => Float, { description: "Of the total; the rows' shares sum to 1." })
  share!: number;

  @Field({ description: 'Some grouped field was empty on this usage: it is explicitly unallocated, not dropped.' })
  unallocated!: boolean;
}

@ObjectType()
export class CostBreakdown {
  @Field(() => Money, { description: 'Equals usage.totalCost for the same period, and the usage lines of its invoice.' })
  total!: Money;

  @Field(() => [CostRow], { description: 'Largest first; rounded rows that sum exactly to the total.' })
  rows!: CostRow[];
}

@ObjectType()
export class CostPoint {
  @Field(() => Date)
  at!: Date;

  @Field(() => DecimalScalar, { description: 'Unrounded cost of the day.' })
  cost!: string;
}

@ObjectType()
export class CostSeries {
  @Field(() => JSONScalar)
  group!: Record<string, string | null>;

  @Field(() => [CostPoint])
  points!: CostPoint[];
}
