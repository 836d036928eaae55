import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../common/graphql/request-context';
import { Plan } from '../plan/plan.entity';
import { PlanSubscription } from './plan-subscription.entity';

@Resolver(() => PlanSubscription)
export class PlanSubscriptionResolver {
  @FieldResolver(() => Plan)
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
