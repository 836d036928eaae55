import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../common/graphql/scalars';

/** Why an entitlement gives no access. */
export enum EntitlementReason {
  /** Neither the plan nor an override grants the feature, and the plan has no charge for such a metric. */
  NOT_IN_PLAN = 'NOT_IN_PLAN',
  FEATURE_DISABLED = 'FEATURE_DISABLED',
  /** A hard limit is reached: the next unit would be refused. */
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  /** The period's cost reached a budget that pauses usage. */
  BUDGET_EXHAUSTED = 'BUDGET_EXHAUSTED',
  /** The current UTC hour's or day's cost reached its spend limit (setSpendControls). */
  SPEND_LIMIT = 'SPEND_LIMIT',
  ACCOUNT_CLOSED = 'ACCOUNT_CLOSED',
}
registerEnumType(EntitlementReason, {
  name: 'EntitlementReason',
  description: 'Why an entitlement gives no access.',
  valuesConfig: {
    NOT_IN_PLAN: { description: 'Neither the plan nor an override grants the feature, and the plan has no charge for such a metric.' },
    FEATURE_DISABLED: { description: 'The plan or an override (setFeatureOverride) switches it off.' },
    QUOTA_EXCEEDED: { description: 'A hard limit is reached: the next unit would be refused.' },
    BUDGET_EXHAUSTED: { description: "The period's cost reached a budget that pauses usage." },
    SPEND_LIMIT: {
      description:
        "Metered access only: the current UTC hour's cost reached perHourLimit, or the current UTC day's reached perDayLimit " +
        "(setSpendControls; by the organisation's test clock where it has one). Access returns with the next hour or day.",
    },
    ACCOUNT_CLOSED: { description: 'The account is closed (closeAccount): nothing is granted any more.' },
  },
});

@ObjectType({ description: 'May this organisation use this feature or metric now, and within what.' })
export class Entitlement {
  @Field({ description: 'A feature code, or a metric code for metered access.' })
  feature!: string;

  @Field({ description: 'Whether the organisation may use it now; when false, reason says why.' })
  hasAccess!: boolean;

  @Field(() => EntitlementReason, {
    nullable: true,
    description: 'Why not: NOT_IN_PLAN, FEATURE_DISABLED, QUOTA_EXCEEDED, BUDGET_EXHAUSTED, SPEND_LIMIT, ACCOUNT_CLOSED.',
  })
  reason!: EntitlementReason | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Static values the platform enforces itself, e.g. {"limit": 20}.' })
  config!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Metered access: the metric.' })
  metric!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: "Metered access: the period's usage so far." })
  used!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Metered access: the quota per period; null: unlimited.' })
  limit!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Metered access: what is left of the quota (never below 0).' })
  remaining!: string | null;

  @Field({ description: 'Metered access with no limit.' })
  unlimited!: boolean;
}
