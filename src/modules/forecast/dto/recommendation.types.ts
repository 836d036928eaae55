import { Field, Float, ObjectType } from 'type-graphql';
import { Money } from '../../../common/money/money.type';
import { Plan } from '../../plan/plan.entity';

@ObjectType()
export class PlanOption {
  @Field(() => Plan)
  plan!: Plan;

  @Field(() => Money, { description: "The basis period's usage priced under this plan, base fee included." })
  cost!: Money;

  @Field(() => Money, { description: "The forecast period's usage priced under this plan, base fee included." })
  forecastCost!: Money;

  @Field({ description: 'False when a hard limit would refuse part of the usage.' })
  fits!: boolean;

  @Field(() => [String])
  warnings!: string[];
}

@ObjectType({ description: 'Moving usage to a cheaper price of a rate card, e.g. another model.' })
export class CheaperAlternative {
  @Field()
  metric!: string;

  @Field({ description: 'The dimension, e.g. "model".' })
  dimension!: string;

  @Field()
  from!: string;

  @Field()
  to!: string;

  @Field(() => Money)
  saving!: Money;

  @Field(() => Float, { description: "Share of that usage's cost saved, 0 to 1." })
  savingShare!: number;
}

@ObjectType()
export class PlanRecommendation {
  @Field(() => Plan)
  currentPlan!: Plan;

  @Field({ description: '"last period" or "current period to date": the usage the options are priced on.' })
  basis!: string;

  @Field(() => [PlanOption], { description: "Every plan in the organisation's currency, cheapest forecast first." })
  options!: PlanOption[];

  @Field(() => Plan)
  cheapestPlan!: Plan;

  @Field(() => Money, { description: 'Forecast saving of the cheapest fitting plan over the current one.' })
  saving!: Money;

  @Field(() => [String])
  advice!: string[];

  @Field(() => [CheaperAlternative])
  alternatives!: CheaperAlternative[];
}
