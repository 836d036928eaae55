import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Organization } from '../organization/organization.entity';
import { Plan } from '../plan/plan.entity';
import { ChangePlanInput } from './dto/change-plan.input';
import { PlanSubscription } from './plan-subscription.entity';

@Resolver(() => PlanSubscription)
export class PlanSubscriptionResolver {
  @Authorized(Permission.CHANGE_PLAN, Permission.REQUEST_PLAN_CHANGE)
  @Mutation(() => PlanSubscription, {
    description:
      'Upgrade now (unused base fee credited pro rata), downgrade at period end. Platform admins; a tenant admin only when ' +
      'both plans are SELF_SERVE (otherwise FORBIDDEN, reason CHANGE_BY_REQUEST: use requestPlanChange).',
  })
  changePlan(
    @Arg('input', { description: 'The organisation and the plan to move to.' }) input: ChangePlanInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PlanSubscription> {
    return services.subscriptions.changePlan(principal, input.organizationId, input.planCode);
  }

  @Authorized(Permission.CHANGE_PLAN)
  @Mutation(() => PlanSubscription, { description: 'Ends the subscription at the end of the current period.' })
  cancelSubscription(
    @Arg('organizationId', () => ID, { description: 'The organisation.' }) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PlanSubscription> {
    return services.subscriptions.cancel(principal, organizationId);
  }

  @Authorized(Permission.MANAGE_ORGANIZATIONS)
  @Mutation(() => Organization, {
    description: 'Deletes the account: no new usage or charges; the current period and open invoices stay due.',
  })
  closeAccount(
    @Arg('organizationId', () => ID, { description: 'The organisation.' }) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Organization> {
    return services.subscriptions.closeAccount(principal, organizationId);
  }

  @FieldResolver(() => Plan, { description: 'The plan it is on now.' })
  async plan(@Root() subscription: PlanSubscription, @Ctx() { loaders }: RequestContext): Promise<Plan> {
    const plan = await loaders.plan.load(subscription.planId);
    if (!plan) throw new Error(`Subscription ${subscription.id} points at a missing plan`);
    return plan;
  }

  @FieldResolver(() => Plan, { nullable: true, description: 'A downgrade that takes effect at the next period.' })
  pendingPlan(@Root() subscription: PlanSubscription, @Ctx() { loaders }: RequestContext): Promise<Plan | null> {
    return subscription.pendingPlanId ? loaders.plan.load(subscription.pendingPlanId) : Promise.resolve(null);
  }
}
