import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DecimalScalar } from '../../../common/graphql/scalars';
import { Money } from '../../../common/money/money.type';
import type { ForecastResult } from '../forecast-model';

/** The model a forecast used. Forecast.method gives the same as text that no enum value can spell ("trend+weekly"). */
export enum ForecastMethod {
  TREND_WEEKLY = 'TREND_WEEKLY',
  TREND = 'TREND',
  RUN_RATE = 'RUN_RATE',
}
registerEnumType(ForecastMethod, {
  name: 'ForecastMethod',
  description: 'The model a forecast was fitted with, chosen by how much daily history there is.',
  valuesConfig: {
    TREND_WEEKLY: { description: 'A trend with a weekly pattern: 14 days of history or more.' },
    TREND: { description: 'A trend without a weekly pattern: 7 to 13 days of history.' },
    RUN_RATE: { description: 'The average day so far, carried forward: under 7 days of history, or no trend fits; intervals are wide.' },
  },
});

/** Forecast.method's text for each ForecastMethod. */
export const FORECAST_METHODS: Record<ForecastResult['method'], ForecastMethod> = {
  'trend+weekly': ForecastMethod.TREND_WEEKLY,
  trend: ForecastMethod.TREND,
  'run-rate': ForecastMethod.RUN_RATE,
};

@ObjectType({ description: 'A day far outside the expected band.' })
export class Anomaly {
  @Field(() => Date, { description: 'The day (00:00 UTC).' })
  at!: Date;

  @Field(() => DecimalScalar, { description: "That day's cost (or quantity, for a metric's forecast)." })
  value!: string;

  @Field(() => DecimalScalar, { description: 'What the model expected for that day.' })
  expected!: string;

  @Field(() => Float, { description: 'Distance from the expected value in robust standard deviations.' })
  score!: number;
}

@ObjectType({ description: 'Usage cost projections (without the base fee) from daily history: trend and weekly pattern.' })
export class Forecast {
  @Field(() => String, { nullable: true, description: 'The metric forecast; null for total usage cost.' })
  metric!: string | null;

  @Field(() => Date, { description: 'End of the current billing period, exclusive.' })
  periodEnd!: Date;

  @Field(() => Money, { description: 'Cost so far plus the forecast of the rest of the period.' })
  projectedCost!: Money;

  @Field(() => DecimalScalar, { nullable: true, description: "The metric's projected quantity at period end." })
  projectedUsage!: string | null;

  @Field(() => Money, { description: 'Projected cost above the plan limit (metric) or above the monthly budget (total).' })
  projectedOverage!: Money;

  @Field(() => Money, { description: 'Forecast usage cost of the next period; the intervals below are for it.' })
  nextPeriodCost!: Money;

  @Field(() => Money, { description: 'Lower bound of the 80 % interval of nextPeriodCost.' })
  low80!: Money;

  @Field(() => Money, { description: 'Upper bound of the 80 % interval of nextPeriodCost.' })
  high80!: Money;

  @Field(() => Money, { description: 'Lower bound of the 95 % interval of nextPeriodCost.' })
  low95!: Money;

  @Field(() => Money, { description: 'Upper bound of the 95 % interval of nextPeriodCost.' })
  high95!: Money;

  @Field(() => Float, { description: 'Growth per 30 days implied by the trend, e.g. 0.125 = +12.5 %.' })
  growthRate!: number;

  @Field(() => [Anomaly], { description: 'Days of the history far outside the expected band.' })
  anomalies!: Anomaly[];

  @Field({ description: 'False when there were under 7 days of history: the projection is the run rate and intervals are wide.' })
  sufficientHistory!: boolean;

  @Field(() => String, {
    description: '"trend+weekly", "trend" (under 14 days) or "run-rate".',
    deprecationReason: 'Use forecastMethod: the same model as an enum (TREND_WEEKLY, TREND, RUN_RATE).',
  })
  method!: ForecastResult['method'];

  @Field(() => Int, { description: 'Days of history the model was fitted on.' })
  historyDays!: number;

  @Field(() => Money, { description: "The plan's base fee, not included above." })
  baseFee!: Money;
}
