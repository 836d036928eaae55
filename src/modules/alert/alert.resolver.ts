import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import type { RequestContext } from '../../app/request-context';
import type { MutationContext } from '../audit/audit.middleware';
import { AlertRule } from './alert-rule.entity';
import { AlertSeverity } from './alert-severity';
import { Alert } from './alert.entity';
import { AlertConnection, CreateAlertRuleInput } from './dto/alert.types';

@Resolver()
export class AlertResolver {
  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => AlertRule)
  createAlertRule(@Arg('input') input: CreateAlertRuleInput, @Ctx() { principal, services }: RequestContext): Promise<AlertRule> {
    return services.alertRules.create(principal, input);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => Boolean)
  async deleteAlertRule(@Arg('id', () => ID) id: string, @Ctx() { principal, services, audit }: MutationContext): Promise<boolean> {
    // Neither the id nor `true` names the organisation: the audit entry is told it.
    audit.organizationId = (await services.alertRules.delete(principal, id)).organizationId;
    return true;
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => [AlertRule], { description: "The organisation's rules, the defaults first." })
  alertRules(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertRule[]> {
    return services.alertRules.list(principal, organizationId);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => AlertConnection, { description: 'Newest first.' })
  alerts(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('severity', () => AlertSeverity, { nullable: true }) severity: AlertSeverity | null,
    @Arg('acknowledged', () => Boolean, { nullable: true }) acknowledged: boolean | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertConnection> {
    return services.alerts.list(principal, organizationId, first, after, severity, acknowledged);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => Alert)
  acknowledgeAlert(@Arg('id', () => ID) id: string, @Ctx() { principal, services }: RequestContext): Promise<Alert> {
    return services.alerts.acknowledge(principal, id);
  }

  @Subscription(() => Alert, {
    description: 'Each alert of the organisation as it fires.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { organizationId: string }, RequestContext>) => {
      const organizationId = authorizeTenant(context.principal, Permission.VIEW_USAGE, String(args.organizationId));
      return context.services.alertLive.subscribe(organizationId);
    },
  })
  alertTriggered(@Root() alert: Alert, @Arg('organizationId', () => ID) _organizationId: string): Alert {
    return alert;
  }
}

@Resolver(() => AlertRule)
export class AlertRuleResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The metric watched; null on cost rules and on the default usage rules (every limited metric).',
  })
  async metric(@Root() rule: AlertRule, @Ctx() { loaders }: RequestContext): Promise<string | null> {
    return rule.metricId ? ((await loaders.metric.load(rule.metricId))?.code ?? null) : null;
  }
}
