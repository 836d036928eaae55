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
  @Mutation(() => AlertRule, {
    description:
      'Adds an alert rule. Errors: BAD_USER_INPUT with reason INVALID_THRESHOLD, OUT_OF_RANGE, UNKNOWN_METRIC, INVALID_CHANNEL, INVALID_WINDOW or INVALID_KEY.',
  })
  createAlertRule(
    @Arg('input', { description: 'The rule.' }) input: CreateAlertRuleInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertRule> {
    return services.alertRules.create(principal, input);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => Boolean, {
    description:
      "Deletes a rule, a default one too; true once deleted. Another organisation's rule is NOT_FOUND, as one that does not exist.",
  })
  async deleteAlertRule(
    @Arg('id', () => ID, { description: 'The rule (AlertRule.id).' }) id: string,
    @Ctx() { principal, services, audit }: MutationContext,
  ): Promise<boolean> {
    // Neither the id nor `true` names the organisation: the audit entry is told it.
    audit.organizationId = (await services.alertRules.delete(principal, id)).organizationId;
    return true;
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => [AlertRule], { description: "The organisation's rules, the defaults first." })
  alertRules(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertRule[]> {
    return services.alertRules.list(principal, organizationId);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => AlertConnection, { description: 'Newest first.' })
  alerts(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 to 100; default 20 (INVALID_PAGE_SIZE otherwise).' })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of the previous page; omitted: the first page (INVALID_CURSOR for one this list did not give).',
    })
    after: string | null,
    @Arg('severity', () => AlertSeverity, { nullable: true, description: 'Only alerts of this severity.' }) severity: AlertSeverity | null,
    @Arg('acknowledged', () => Boolean, {
      nullable: true,
      description: 'true: only acknowledged alerts; false: only those not acknowledged yet; omitted: both.',
    })
    acknowledged: boolean | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertConnection> {
    return services.alerts.list(principal, organizationId, first, after, severity, acknowledged);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => Alert, {
    description:
      "Marks an alert as seen (acknowledgedAt); acknowledging it again changes nothing. Another organisation's alert is NOT_FOUND.",
  })
  acknowledgeAlert(
    @Arg('id', () => ID, { description: 'The alert (Alert.id).' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Alert> {
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
    @Arg('organizationId', () => ID, {
      description: "The organisation: the caller's own (platform admins: any). Another organisation is FORBIDDEN.",
    })
    _organizationId: string,
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
