import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { PeriodInput } from '../usage/dto/usage.types';
import { CostBreakdown, CostSeries } from './dto/cost.types';
import { CostEstimate, PlannedUsageInput } from './dto/estimate.types';

@Resolver()
export class CostResolver {
  @Authorized(Permission.VIEW_USAGE)
  @Query(() => CostBreakdown, {
    description: 'groupBy: any of "team", "project", "user", "metric", "department", or a dimension key such as "model".',
  })
  costBreakdown(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('period', () => PeriodInput, { nullable: true }) period: PeriodInput | null,
    @Arg('groupBy', () => [String]) groupBy: string[],
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CostBreakdown> {
    return services.costs.breakdown(principal, organizationId, period, groupBy);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => [CostSeries], { description: 'Daily cost per group, for charts.' })
  costSeries(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('period', () => PeriodInput, { nullable: true }) period: PeriodInput | null,
    @Arg('groupBy', () => [String]) groupBy: string[],
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CostSeries[]> {
    return services.costs.series(principal, organizationId, period, groupBy);
  }

  @Authorized()
  @Query(() => CostEstimate, { description: 'Prices a planned month under a plan, without recording anything; needs no organisation.' })
  estimateCost(
    @Arg('planCode') planCode: string,
    @Arg('usage', () => [PlannedUsageInput]) usage: PlannedUsageInput[],
    @Ctx() { services }: RequestContext,
  ): Promise<CostEstimate> {
    return services.estimates.estimate(planCode, usage);
  }
}
