import { Field, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';

@ObjectType({ description: 'One tier of a GRADUATED or VOLUME price; the last has no upper bound.' })
export class Tier {
  @Field(() => DecimalScalar, { nullable: true })
  upTo!: string | null;

  @Field(() => DecimalScalar)
  unitPrice!: string;

  @Field(() => DecimalScalar, { nullable: true })
  flatPrice!: string | null;
}

@ObjectType({ description: 'A rate-card entry: events whose dimensions match get this unit price.' })
export class DimensionPrice {
  @Field(() => JSONScalar)
  dimensions!: Record<string, string>;

  @Field(() => DecimalScalar)
  unitPrice!: string;
}
