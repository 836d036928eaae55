import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import type { RequestContext } from '../../app/request-context';
import { RecordUsageInput, RecordUsagePayload } from './dto/record-usage.types';
import { Granularity, PeriodInput, UsageFilterInput, UsageReport, UsageSeries } from './dto/usage.types';

@Resolver()
export class UsageResolver {
  @Authorized(Permission.RECORD_USAGE)
  @Mutation(() => RecordUsagePayload, { description: 'Records a batch of usage events; each invalid one is rejected on its own.' })
  recordUsage(
    @Arg('input', { description: 'The batch: up to 10,000 events (BATCH_TOO_LARGE otherwise).' }) input: RecordUsageInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<RecordUsagePayload> {
    return services.usageIngest.record(principal, input.organizationId, input.events);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => UsageReport, { description: 'Usage against plan limits; default period: the current billing period.' })
  usage(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('period', () => PeriodInput, {
      nullable: true,
      description: 'Whole UTC hours, from before to, at most 400 days (INVALID_PERIOD otherwise); default: the current billing period.',
    })
    period: PeriodInput | null,
    @Arg('filter', () => UsageFilterInput, {
      nullable: true,
      description: 'Only usage matching all of these; an unknown metric is UNKNOWN_METRIC, bad dimensions INVALID_FILTER.',
    })
    filter: UsageFilterInput | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<UsageReport> {
    return services.usageQuery.report(principal, organizationId, period, filter);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => UsageSeries, { description: "A metric's usage and cost per minute, hour or day, for charts." })
  usageSeries(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('metric', { description: 'The metric code (UNKNOWN_METRIC otherwise).' }) metric: string,
    @Arg('granularity', () => Granularity, { description: 'The bucket size; MINUTE for periods of up to 24 hours.' })
    granularity: Granularity,
    @Arg('period', () => PeriodInput, {
      nullable: true,
      description: 'Whole UTC hours, from before to, at most 400 days (INVALID_PERIOD otherwise); default: the current billing period.',
    })
    period: PeriodInput | null,
    @Arg('filter', () => UsageFilterInput, {
      nullable: true,
      description: 'Only usage matching all of these; an unknown metric is UNKNOWN_METRIC, bad dimensions INVALID_FILTER.',
    })
    filter: UsageFilterInput | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<UsageSeries> {
    return services.usageQuery.series(principal, organizationId, metric, granularity, period, filter);
  }

  @Subscription(() => UsageReport, {
    description: 'The current report, then a fresh one after each change, coalesced to a few per second.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { organizationId: string }, RequestContext>) => {
      const organizationId = authorizeTenant(context.principal, Permission.VIEW_USAGE, String(args.organizationId));
      return context.services.usageLive.subscribe(organizationId);
    },
  })
  usageUpdated(
    @Root() report: UsageReport,
    @Arg('organizationId', () => ID, {
      description: "The organisation: the caller's own (platform admins: any). Another organisation is FORBIDDEN.",
    })
    _organizationId: string,
  ): UsageReport {
    return report;
  }
}
