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
import { assertCan } from '../../common/auth/principal';
import { assertId } from '../../common/errors/common-error';
import type { RequestContext } from '../../app/request-context';
import type { MutationContext } from '../audit/audit.middleware';
import { User } from '../organization/user.entity';
import { AlertRule } from './alert-rule.entity';
import { AlertSeverity } from './alert-severity';
import { Alert } from './alert.entity';
import { AlertConnection, AlertWebhookPayload, CreateAlertRuleInput } from './dto/alert.types';

@Resolver()
export class AlertResolver {
  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => AlertRule)
  createAlertRule(@Arg('input') input: CreateAlertRuleInput, @Ctx() { principal, services }: RequestContext): Promise<AlertRule> {
    return services.alerts.createRule(principal, input);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => Boolean)
  async deleteAlertRule(@Arg('id', () => ID) id: string, @Ctx() { principal, services, audit }: MutationContext): Promise<boolean> {
    // Neither the id nor `true` names the organisation: the audit entry is told it.
    audit.organizationId = (await services.alerts.deleteRule(principal, id)).organizationId;
    return true;
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => [AlertRule], { description: "The organisation's rules, the defaults first." })
  alertRules(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertRule[]> {
    return services.alerts.rules(principal, organizationId);
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
    return services.alerts.list(principal, organizationId, first ?? 20, after, severity, acknowledged);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => Alert)
  acknowledgeAlert(@Arg('id', () => ID) id: string, @Ctx() { principal, services }: RequestContext): Promise<Alert> {
    return services.alerts.acknowledge(principal, id);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => AlertWebhookPayload, { description: 'Where webhook alerts go; returns a new signing secret, shown once.' })
  setAlertWebhook(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('url') url: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertWebhookPayload> {
    return services.alerts.setWebhook(principal, organizationId, url);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => User, { description: 'Adds or updates a billing contact, who receives alert emails.' })
  setBillingContact(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('email') email: string,
    @Arg('user', () => String, { nullable: true, description: "The platform's user key; the email by default." }) user: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<User> {
    return services.alerts.setBillingContact(principal, organizationId, email, user);
  }

  @Subscription(() => Alert, {
    description: 'Each alert of the organisation as it fires.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { organizationId: string }, RequestContext>) => {
      const organizationId = assertId(String(args.organizationId), 'organizationId');
      assertCan(context.principal, Permission.VIEW_USAGE, organizationId);
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
