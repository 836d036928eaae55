import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';

@InputType()
export class UsageEventInput {
  @Field({ description: 'Idempotency key, unique per organization: a repeated id counts once.' })
  id!: string;

  @Field({ description: 'Metric code.' })
  metric!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Defaults to 1; at least 0, at most 18 digits before the point and 20 after it.',
  })
  quantity?: string | null;

  @Field(() => Date, { nullable: true, description: 'Defaults to now; at most 35 days old and 5 minutes ahead.' })
  timestamp?: Date | null;

  @Field(() => String, { nullable: true })
  team?: string | null;

  @Field(() => String, { nullable: true })
  project?: string | null;

  @Field(() => String, { nullable: true })
  user?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Flat object of strings, numbers or booleans, e.g. {"model": "gpt-4"}.' })
  dimensions?: unknown;
}

@InputType()
export class RecordUsageInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => [UsageEventInput], { description: 'Up to 10,000 events.' })
  events!: UsageEventInput[];
}

@ObjectType()
export class RejectedEvent {
  @Field(() => Int, { description: 'Position of the event in the batch.' })
  index!: number;

  @Field(() => String, { nullable: true })
  id!: string | null;

  @Field({ description: 'BAD_USER_INPUT, QUOTA_EXCEEDED or RATE_LIMITED.' })
  code!: string;

  @Field({ description: 'The rule: UNKNOWN_METRIC, INVALID_QUANTITY, TIMESTAMP_TOO_OLD, HARD_LIMIT, BUDGET_EXHAUSTED, …' })
  reason!: string;

  @Field()
  message!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      "Seconds until the same event may be accepted: the end of the rate window (RATE_LIMITED), of the hour or day (SPEND_LIMIT) or of the billing period (BUDGET_EXHAUSTED), by the organisation's clock. Null where waiting cannot help.",
  })
  retryAfterSeconds?: number | null;
}

@ObjectType()
export class RecordUsagePayload {
  @Field(() => Int)
  accepted!: number;

  @Field(() => Int, { description: 'Events whose id was recorded before (or earlier in this batch).' })
  duplicates!: number;

  @Field(() => [RejectedEvent])
  rejected!: RejectedEvent[];
}
