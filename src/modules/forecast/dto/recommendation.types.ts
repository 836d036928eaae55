import { Field, Float, ObjectType } from 'type-graphql';
import { Money } from '../../../common/money/money.type';
import { Plan } from '../../plan/plan.entity';

@ObjectType({ description: "One plan priced on the organisation's usage." })
export class PlanOption {
  @Field(() => Plan, { description: 'The plan.' })
  plan!: Plan;

  @Field(() => Money, { description: "The basis period's usage priced under this plan, base fee included." })
  cost!: Money;

  @Field(() => Money, { description: "The forecast period's usage priced under this plan, base fee included." })
  forecastCost!: Money;

  @Field({ description: 'False when a hard limit would refuse part of the usage.' })
  fits!: boolean;

  @Field(() => [String], { description: 'Why it may not fit, e.g. usage past a hard limit.' })
  warnings!: string[];
}

@ObjectType({ description: 'Moving usage to a cheaper price of a rate card, e.g. another model.' })
export class CheaperAlternative {
  @Field({ description: 'The metric code.' })
  metric!: string;

  @Field({ description: 'The dimension, e.g. "model".' })
  dimension!: string;

  @Field({ description: 'The dimension value used now, e.g. "gpt-4".' })
  from!: string;

  @Field({ description: 'The cheaper value of the same rate card, e.g. "gpt-4o-mini".' })
  to!: string;

  @Field(() => Money, { description: 'What moving that usage would have saved in the basis period.' })
  saving!: Money;

  @Field(() => Float, { description: "Share of that usage's cost saved, 0 to 1." })
  savingShare!: number;
}

@ObjectType({ description: 'Which plan would cost the organisation least, and why.' })
export class PlanRecommendation {
  @Field(() => Plan, { description: 'The plan it is on.' })
  currentPlan!: Plan;

  @Field({ description: '"last period" or "current period to date": the usage the options are priced on.' })
  basis!: string;

  @Field(() => [PlanOption], { description: "Every plan in the organisation's currency, cheapest forecast first." })
  options!: PlanOption[];

  @Field(() => Plan, { description: 'The cheapest plan that fits the usage (by forecast cost).' })
  cheapestPlan!: Plan;

  @Field(() => Money, { description: 'Forecast saving of the cheapest fitting plan over the current one.' })
  saving!: Money;

  @Field(() => [String], { description: 'Recommendations in words, for people.' })
  advice!: string[];

  @Field(() => [CheaperAlternative], { description: 'Cheaper prices of the same rate cards, largest saving first.' })
  alternatives!: CheaperAlternative[];
}
