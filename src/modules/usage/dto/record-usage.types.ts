import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ErrorCode } from '../../../common/errors/error-code';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { RejectionReason, type RejectionCode } from '../ingest/normalized-event';

/** Every code a rejection may carry, by name: a code added to RejectionCode must be registered here too. */
const REJECTION_CODES: Record<RejectionCode, RejectionCode> = {
  [ErrorCode.BAD_USER_INPUT]: ErrorCode.BAD_USER_INPUT,
  [ErrorCode.QUOTA_EXCEEDED]: ErrorCode.QUOTA_EXCEEDED,
  [ErrorCode.RATE_LIMITED]: ErrorCode.RATE_LIMITED,
  [ErrorCode.NOT_ENTITLED]: ErrorCode.NOT_ENTITLED,
};
registerEnumType(REJECTION_CODES, {
  name: 'RejectionCode',
  description: 'The kind of refusal of one usage event; the same codes as errors elsewhere (extensions.code).',
  valuesConfig: {
    [ErrorCode.BAD_USER_INPUT]: { description: 'The event itself is invalid; fix it before sending it again.' },
    [ErrorCode.QUOTA_EXCEEDED]: { description: 'A hard limit, an auto-paused budget or a spend limit refuses it (see retryAfterSeconds).' },
    [ErrorCode.RATE_LIMITED]: { description: "Over the plan's requestsPerMinute or requestsPerHour; it may pass in a later window." },
    [ErrorCode.NOT_ENTITLED]: { description: 'The plan does not allow this usage at all; it is neither recorded nor billed.' },
  },
});

registerEnumType(RejectionReason, {
  name: 'RejectionReason',
  description: 'The rule that refused one usage event.',
  valuesConfig: {
    INVALID_ID: { description: 'BAD_USER_INPUT: id is empty, over 255 characters, or holds NUL or a lone surrogate.' },
    UNKNOWN_METRIC: { description: 'BAD_USER_INPUT: no metric has this code.' },
    INVALID_QUANTITY: {
      description: 'BAD_USER_INPUT: quantity is not a number, is negative, or is past 18 digits before the point and 20 after.',
    },
    INVALID_TIMESTAMP: { description: 'BAD_USER_INPUT: timestamp is not an ISO 8601 timestamp.' },
    TIMESTAMP_TOO_OLD: { description: "BAD_USER_INPUT: timestamp is more than 35 days before the organisation's clock." },
    TIMESTAMP_IN_FUTURE: { description: "BAD_USER_INPUT: timestamp is more than 5 minutes after the organisation's clock." },
    INVALID_DIMENSIONS: { description: 'BAD_USER_INPUT: dimensions is not a flat object of strings, numbers or booleans.' },
    INVALID_KEY: { description: 'BAD_USER_INPUT: team, project or user is not a valid key.' },
    MISSING_SESSION_KEY: { description: "BAD_USER_INPUT: the event lacks the field or dimension that keys the metric's sessions." },
    MISSING_UNIQUE_KEY: { description: 'BAD_USER_INPUT: the event lacks the field or dimension the metric counts distinct values of.' },
    UNPRICED_DIMENSIONS: { description: "BAD_USER_INPUT: the plan's rate card has no price for these dimensions (never billed at zero)." },
    NOT_IN_PLAN: { description: "NOT_ENTITLED: the organisation's plan has no charge for the metric (or it has no plan)." },
    DIMENSION_NOT_ALLOWED: {
      description: "NOT_ENTITLED: a dimension value outside the charge's allowedDimensions, or a listed dimension missing.",
    },
    FEATURE_DISABLED: {
      description: 'NOT_ENTITLED: an override withdrew the metric, or the feature gating its charge (requiresFeature) is off.',
    },
    HARD_LIMIT: { description: 'QUOTA_EXCEEDED: it would take usage past a hard limit of the plan.' },
    BUDGET_EXHAUSTED: {
      description: "QUOTA_EXCEEDED: it would take the period's cost past the auto-paused budget (the spend controls', else the plan's).",
    },
    SPEND_LIMIT: {
      description: "QUOTA_EXCEEDED: it would take the cost of its UTC hour or day past the spend controls' perHourLimit or perDayLimit.",
    },
    PER_EVENT_LIMIT: { description: "QUOTA_EXCEEDED: its own cost is more than the spend controls' perEventLimit." },
    RATE_LIMITED: {
      description:
        "RATE_LIMITED: the organisation's accepted events this minute or hour reached the plan's requestsPerMinute or requestsPerHour.",
    },
    PERIOD_CLOSED: { description: 'BAD_USER_INPUT: its timestamp falls in a billing period already closed into an invoice.' },
  },
});

@InputType({ description: 'One usage event. Each bad one is rejected on its own (RecordUsagePayload.rejected); the others are recorded.' })
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

  @Field(() => String, {
    nullable: true,
    description:
      'The team it is allocated to: a key of 1 to 128 letters, digits, spaces and _ . : @ / - (INVALID_KEY otherwise); the team is created when first seen.',
  })
  team?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The project it is allocated to: a key of 1 to 128 letters, digits, spaces and _ . : @ / - (INVALID_KEY otherwise); created when first seen.',
  })
  project?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The user it is allocated to: a key of 1 to 128 letters, digits, spaces and _ . : @ / - (INVALID_KEY otherwise).',
  })
  user?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Flat object of strings, numbers or booleans, e.g. {"model": "gpt-4"}.' })
  dimensions?: unknown;
}

@InputType({ description: 'A batch of usage events of one organisation, written in one transaction.' })
export class RecordUsageInput {
  @Field(() => ID, {
    description: 'The organisation that used it; a closed account or an ended subscription is FORBIDDEN (ACCOUNT_CLOSED).',
  })
  organizationId!: string;

  @Field(() => [UsageEventInput], { description: 'Up to 10,000 events.' })
  events!: UsageEventInput[];
}

@ObjectType({ description: 'An event of the batch that was not recorded, and why; its id is not used up.' })
export class RejectedEvent {
  @Field(() => Int, { description: 'Position of the event in the batch.' })
  index!: number;

  @Field(() => String, { nullable: true, description: 'Its id as sent; null when the id itself was invalid.' })
  id!: string | null;

  @Field(() => REJECTION_CODES, {
    description:
      'BAD_USER_INPUT, QUOTA_EXCEEDED, RATE_LIMITED, or NOT_ENTITLED: the plan does not allow this usage at all ' +
      '(reason NOT_IN_PLAN, DIMENSION_NOT_ALLOWED or FEATURE_DISABLED); such an event is not recorded nor billed.',
  })
  code!: RejectionCode;

  @Field(() => RejectionReason, {
    description: 'The rule: UNKNOWN_METRIC, INVALID_QUANTITY, TIMESTAMP_TOO_OLD, HARD_LIMIT, BUDGET_EXHAUSTED, …',
  })
  reason!: RejectionReason;

  @Field({ description: 'The refusal in words, for people; branch on code and reason.' })
  message!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      "Seconds until the same event may be accepted: the end of the rate window (RATE_LIMITED), of the hour or day (SPEND_LIMIT) or of the billing period (BUDGET_EXHAUSTED), by the organisation's clock. Null where waiting cannot help.",
  })
  retryAfterSeconds?: number | null;
}

@ObjectType({ description: 'What happened to each event of the batch: every event is accepted, a duplicate or rejected.' })
export class RecordUsagePayload {
  @Field(() => Int, { description: 'Events recorded now.' })
  accepted!: number;

  @Field(() => Int, { description: 'Events whose id was recorded before (or earlier in this batch).' })
  duplicates!: number;

  @Field(() => [RejectedEvent], { description: 'Events refused, each with its position and reason.' })
  rejected!: RejectedEvent[];
}
