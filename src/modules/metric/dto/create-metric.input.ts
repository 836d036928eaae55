import { Field, InputType, Int } from 'type-graphql';
import { DecimalScalar } from '../../../common/graphql/scalars';
import { Aggregation } from '../aggregation';

@InputType({ description: 'A new metric of the catalog.' })
export class CreateMetricInput {
  @Field({ description: 'Stable identifier used in events and plans, e.g. "llm_tokens".' })
  code!: string;

  @Field(() => String, { nullable: true, description: 'Display name; the code by default.' })
  name?: string | null;

  @Field({ description: 'Unit of its quantities, 1 to 40 characters, e.g. "token" (INVALID_UNIT).' })
  unit!: string;

  @Field(() => Aggregation, { description: "How a period's events become one quantity." })
  aggregation!: Aggregation;

  @Field(() => String, { nullable: true, description: 'UNIQUE_COUNT: the dimension or field counted once.' })
  uniqueBy?: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Each event\'s quantity is rounded UP to a multiple of this ("1" on an hours metric bills every started hour).',
  })
  eventRounding?: string | null;

  @Field(() => Int, { nullable: true, description: 'COUNT of sessions: a session ends after this many idle minutes.' })
  sessionIdleMinutes?: number | null;

  @Field(() => String, { nullable: true, description: 'The field or dimension that identifies a conversation, e.g. "user".' })
  sessionKey?: string | null;
}
