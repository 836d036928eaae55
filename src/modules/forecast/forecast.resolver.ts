import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Forecast, FORECAST_METHODS, ForecastMethod } from './dto/forecast.types';
import { PlanRecommendation } from './dto/recommendation.types';

@Resolver(() => Forecast)
export class ForecastResolver {
  @Authorized(Permission.VIEW_USAGE)
  @Query(() => Forecast, {
    description: "The period-end projection and next period's cost with 80 % and 95 % intervals; per metric or for total cost.",
  })
  forecast(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('metric', () => String, { nullable: true, description: 'A metric code (UNKNOWN_METRIC otherwise); omitted: total usage cost.' })
    metric: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Forecast> {
    return services.forecasts.forecast(principal, organizationId, metric);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => PlanRecommendation, {
    description: "Every plan priced on this organisation's usage, the cheapest, and cheaper rate-card prices.",
  })
  planRecommendations(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PlanRecommendation> {
    return services.recommendations.recommend(principal, organizationId);
  }

  @FieldResolver(() => ForecastMethod, {
    description: 'The model fitted: TREND_WEEKLY, TREND (under 14 days of history) or RUN_RATE (under 7).',
  })
  forecastMethod(@Root() forecast: Forecast): ForecastMethod {
    return FORECAST_METHODS[forecast.method];
  }
}
