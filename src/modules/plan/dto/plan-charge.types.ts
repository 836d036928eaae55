import { Field, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';

@ObjectType({ description: 'One tier of a GRADUATED or VOLUME price; the last has no upper bound.' })
export class Tier {
  @Field(() => DecimalScalar, { nullable: true, description: 'Upper bound of the tier, inclusive; null on the last tier.' })
  upTo!: string | null;

  @Field(() => DecimalScalar, { description: 'Price of each unit in this tier.' })
  unitPrice!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'A fixed amount added once usage reaches the tier; null: none.' })
  flatPrice!: string | null;
}

@ObjectType({ description: 'A rate-card entry: events whose dimensions match get this unit price.' })
export class DimensionPrice {
  @Field(() => JSONScalar, { description: 'The dimensions an event must have, e.g. {"model": "gpt-4"}.' })
  dimensions!: Record<string, string>;

  @Field(() => DecimalScalar, { description: 'Price of one unit of such events.' })
  unitPrice!: string;
}
