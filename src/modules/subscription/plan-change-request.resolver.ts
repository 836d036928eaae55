import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PAGE_SIZE_EXTENSION } from '../../common/graphql/pagination';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Plan } from '../plan/plan.entity';
import { ChangePlanInput } from './dto/change-plan.input';
import { PlanChangeRequest, PlanChangeRequestStatus } from './plan-change-request.entity';
import { PLAN_CHANGE_REQUEST_PAGE } from './plan-change-request.service';
import { PlanSubscription } from './plan-subscription.entity';

@Resolver(() => PlanChangeRequest)
export class PlanChangeRequestResolver {
  @Authorized(Permission.VIEW_ORGANIZATION)
  @Extensions({ [PAGE_SIZE_EXTENSION]: PLAN_CHANGE_REQUEST_PAGE })
  @Query(() => [PlanChangeRequest], {
    description:
      "Plan-change requests, newest first. Platform admins: one organisation's, or all without organizationId; tenant keys: " +
      "their own organisation's (another's is FORBIDDEN).",
  })
  planChangeRequests(
    @Arg('organizationId', () => ID, { nullable: true, description: "Whose requests; omitted: the caller's own (platform admins: all)." })
    organizationId: string | null,
    @Arg('status', () => PlanChangeRequestStatus, { nullable: true, description: 'Only requests with this status; omitted: all.' })
    status: PlanChangeRequestStatus | null,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many, 1 to 500 (default 100).' })
    first: number | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PlanChangeRequest[]> {
    return services.planChangeRequests.list(principal, organizationId, status, first ?? PLAN_CHANGE_REQUEST_PAGE.default);
  }

  @Authorized(Permission.REQUEST_PLAN_CHANGE)
  @Mutation(() => PlanChangeRequest, {
    description:
      'A tenant admin asks for another plan for its organisation (others: FORBIDDEN, reason TENANT_ADMIN_ONLY). Checked as ' +
      'changePlan checks a change (UNKNOWN_PLAN, CURRENCY_MISMATCH, SAME_PLAN, NOT_ACTIVE); replaces (CANCELED) a pending request.',
  })
  requestPlanChange(
    @Arg('input', { description: 'The organisation and the plan it asks for.' }) input: ChangePlanInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PlanChangeRequest> {
    return services.planChangeRequests.request(principal, input.organizationId, input.planCode);
  }

  @Authorized(Permission.CHANGE_PLAN)
  @Mutation(() => PlanSubscription, {
    description:
      'Platform admin: applies a PENDING request exactly as changePlan would (an upgrade at once, a downgrade at period end). ' +
      'A request no longer pending: BAD_USER_INPUT, reason REQUEST_NOT_PENDING.',
  })
  approvePlanChangeRequest(
    @Arg('id', () => ID, { description: 'The request.' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PlanSubscription> {
    return services.planChangeRequests.approve(principal, id);
  }

  @Authorized(Permission.CHANGE_PLAN)
  @Mutation(() => PlanChangeRequest, {
    description: 'Platform admin: refuses a PENDING request. A request no longer pending: BAD_USER_INPUT, reason REQUEST_NOT_PENDING.',
  })
  rejectPlanChangeRequest(
    @Arg('id', () => ID, { description: 'The request.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why, shown to the organisation; at most 1,000 characters.' })
    reason: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PlanChangeRequest> {
    return services.planChangeRequests.reject(principal, id, reason);
  }

  @FieldResolver(() => Plan, { description: 'The plan asked for.' })
  plan(@Root() request: PlanChangeRequest, @Ctx() { loaders }: RequestContext): Promise<Plan> {
    return this.load(request.planId, loaders);
  }

  @FieldResolver(() => Plan, { description: 'The plan the organisation was on when it asked.' })
  fromPlan(@Root() request: PlanChangeRequest, @Ctx() { loaders }: RequestContext): Promise<Plan> {
    return this.load(request.fromPlanId, loaders);
  }

  private async load(planId: string, loaders: RequestContext['loaders']): Promise<Plan> {
    const plan = await loaders.plan.load(planId);
    if (!plan) throw new Error(`A plan-change request points at a missing plan ${planId}`);
    return plan;
  }
}
