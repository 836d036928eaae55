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
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('period', () => PeriodInput, {
      nullable: true,
      description: 'Whole UTC hours, from before to, at most 400 days (INVALID_PERIOD otherwise); default: the current billing period.',
    })
    period: PeriodInput | null,
    @Arg('groupBy', () => [String], {
      description:
        '1 to 5 distinct keys: "team", "project", "user", "metric", "department", or an event dimension key such as "model" (INVALID_ARGUMENT otherwise).',
    })
    groupBy: string[],
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CostBreakdown> {
    return services.costs.breakdown(principal, organizationId, period, groupBy);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => [CostSeries], { description: 'Daily cost per group, for charts.' })
  costSeries(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('period', () => PeriodInput, {
      nullable: true,
      description: 'Whole UTC hours, from before to, at most 400 days (INVALID_PERIOD otherwise); default: the current billing period.',
    })
    period: PeriodInput | null,
    @Arg('groupBy', () => [String], {
      description:
        '1 to 5 distinct keys: "team", "project", "user", "metric", "department", or an event dimension key such as "model" (INVALID_ARGUMENT otherwise).',
    })
    groupBy: string[],
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CostSeries[]> {
    return services.costs.series(principal, organizationId, period, groupBy);
  }

  @Authorized()
  @Query(() => CostEstimate, { description: 'Prices a planned month under a plan, without recording anything; needs no organisation.' })
  estimateCost(
    @Arg('planCode', { description: 'A plan code (INVALID_ARGUMENT when no plan has it).' }) planCode: string,
    @Arg('usage', () => [PlannedUsageInput], {
      description:
        "The month's usage, at most 1,000 entries; an unknown metric, a negative quantity or bad dimensions is INVALID_ARGUMENT.",
    })
    usage: PlannedUsageInput[],
    @Ctx() { services }: RequestContext,
  ): Promise<CostEstimate> {
    return services.estimates.estimate(planCode, usage);
  }
}
