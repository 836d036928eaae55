import { Field, InputType, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';
import { Plan } from '../../plan/plan.entity';

@InputType({ description: "A metric's planned usage for a month." })
export class PlannedUsageInput {
  @Field({ description: 'Metric code.' })
  metric!: string;

  @Field(() => DecimalScalar, {
    description: "The month's quantity (for MAX metrics: the peak); at most 18 digits before the point and 20 after it.",
  })
  quantity!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'For rate cards, e.g. {"connector": "notion"}.' })
  dimensions?: unknown;
}

@ObjectType({ description: 'One line of an estimate, as the invoice line would be.' })
export class EstimateLine {
  @Field({ description: 'What it bills, in words.' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'The metric code of a usage line; null for the base fee.' })
  metric!: string | null;

  @Field(() => DecimalScalar, { description: 'Billed quantity: units above the included ones, 1 for the base fee.' })
  quantity!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Price of one unit where one price applies; null for tiered and package prices.',
  })
  unitPrice!: string | null;

  @Field(() => Money, { description: "The line's amount, rounded to the currency's minor unit." })
  amount!: Money;
}

@ObjectType({ description: 'What a month would cost under a plan, line by line, as its invoice would show it.' })
export class CostEstimate {
  @Field(() => Plan, { description: 'The plan priced.' })
  plan!: Plan;

  @Field(() => [EstimateLine], { description: 'The base fee, then one line per metric priced.' })
  lines!: EstimateLine[];

  @Field(() => Money, { description: "Sum of the lines, in the plan's currency." })
  total!: Money;

  @Field(() => [String], { description: 'E.g. usage past a hard limit, which would be refused rather than billed.' })
  warnings!: string[];
}
