import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';

@InputType({
  description:
    "Sets an organisation's spend controls (platform admin, or the organisation's tenant admin or billing contact). A field left out keeps its value; null sets it back to its default. Amounts are in the organisation's currency, above 0, with at most 15 digits before the point and no more decimals than the currency's minor unit (BAD_USER_INPUT: INVALID_ARGUMENT, OUT_OF_RANGE or INVALID_AMOUNT).",
})
export class SpendControlsInput {
  @Field(() => ID, { description: 'The organisation; another tenant is FORBIDDEN.' })
  organizationId!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: "The budget per billing period (calendar month, UTC); null: the plan's budget.",
  })
  monthlyBudget?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "true: an event that would take the period's cost past the budget is refused (QUOTA_EXCEEDED, BUDGET_EXHAUSTED); needs a budget (else NO_BUDGET). null: the plan's setting.",
  })
  autoPause?: boolean | null;

  @Field(() => [Int], {
    nullable: true,
    description:
      'Percentages of the budget (1 to 1000, at most 10, each once) at which a cost alert is raised once per period; they replace the budget alert rules. null: 50, 80 and 95. An empty list: none.',
  })
  alertThresholds?: number[] | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'An event that alone would cost more is refused (QUOTA_EXCEEDED, PER_EVENT_LIMIT). null: no limit.',
  })
  perEventLimit?: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: "An event that would take its clock hour's (UTC) cost past it is refused (QUOTA_EXCEEDED, SPEND_LIMIT). null: no limit.",
  })
  perHourLimit?: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: "An event that would take its day's (UTC) cost past it is refused (QUOTA_EXCEEDED, SPEND_LIMIT). null: no limit.",
  })
  perDayLimit?: string | null;
}

@ObjectType({ description: "An organisation's spend controls as they apply now, with the period's spend against its budget." })
export class SpendControls {
  @Field(() => Money, { nullable: true, description: "The budget per billing period: the controls', else the plan's; null: none." })
  monthlyBudget!: Money | null;

  @Field({ description: "Whether the budget blocks usage that would pass it: the controls' setting, else the plan's." })
  autoPause!: boolean;

  @Field(() => [Int], { description: 'Percentages of the budget at which cost alerts are raised, lowest first.' })
  alertThresholds!: number[];

  @Field(() => Money, { nullable: true, description: 'The most one event may cost; null: no limit.' })
  perEventLimit!: Money | null;

  @Field(() => Money, { nullable: true, description: 'The most a clock hour (UTC) may cost; null: no limit.' })
  perHourLimit!: Money | null;

  @Field(() => Money, { nullable: true, description: 'The most a day (UTC) may cost; null: no limit.' })
  perDayLimit!: Money | null;

  @Field(() => Money, { description: "The usage cost of the current billing period so far, by the organisation's clock." })
  spentThisPeriod!: Money;

  @Field(() => Money, { nullable: true, description: 'What is left of the budget this period (never below 0); null: no budget.' })
  remainingBudget!: Money | null;
}
