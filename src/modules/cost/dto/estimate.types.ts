import { Field, InputType, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';
import { Plan } from '../../plan/plan.entity';

@InputType()
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

@ObjectType()
export class EstimateLine {
  @Field()
  description!: string;

  @Field(() => String, { nullable: true })
  metric!: string | null;

  @Field(() => DecimalScalar)
  quantity!: string;

  @Field(() => DecimalScalar, { nullable: true })
  unitPrice!: string | null;

  @Field(() => Money)
  amount!: Money;
}

@ObjectType({ description: 'What a month would cost under a plan, line by line, as its invoice would show it.' })
export class CostEstimate {
  @Field(() => Plan)
  plan!: Plan;

  @Field(() => [EstimateLine])
  lines!: EstimateLine[];

  @Field(() => Money)
  total!: Money;

  @Field(() => [String], { description: 'E.g. usage past a hard limit, which would be refused rather than billed.' })
  warnings!: string[];
}
