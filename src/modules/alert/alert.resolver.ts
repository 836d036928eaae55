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
import { ALERT_BACKLOG_LIMIT } from './alert-live-hub';
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
    description:
      'Each alert of the organisation as it fires. With `after`, it first sends the alerts triggered after that one, oldest ' +
      'first, then the live ones, with no gap and no duplicate between them: a client that reconnects with the last alert ' +
      'it saw misses nothing.',
    subscribe: async ({
      args,
      context,
    }: SubscribeResolverData<unknown, { organizationId: string; after?: string | null }, RequestContext>) => {
      const organizationId = authorizeTenant(context.principal, Permission.VIEW_USAGE, String(args.organizationId));
      const afterSeq = args.after ? await context.services.alerts.resumePoint(organizationId, args.after) : null;
      return context.services.alertLive.subscribe(organizationId, afterSeq);
    },
  })
  alertTriggered(
    @Root() alert: Alert,
    @Arg('organizationId', () => ID) _organizationId: string,
    @Arg('after', () => String, {
      nullable: true,
      description:
        `Resume after this alert: an AlertEdge.cursor (from \`alerts\`) or an Alert.id of this organisation. At most the newest ` +
        `${ALERT_BACKLOG_LIMIT} alerts after it are replayed (read older ones with \`alerts\`). Anything else is ` +
        'BAD_USER_INPUT (INVALID_CURSOR). Default: live alerts only.',
    })
    _after: string | null,
  ): Alert {
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
