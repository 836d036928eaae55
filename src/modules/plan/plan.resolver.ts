import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Money } from '../../common/money/money.type';
import { CreatePlanInput } from './dto/create-plan.input';
import { PlanCharge } from './plan-charge.entity';
import { Plan } from './plan.entity';

@Resolver(() => Plan)
export class PlanResolver {
  @Authorized()
  @Query(() => [Plan], { description: "Every plan of the catalog, and the caller's own custom plans (platform admins: all)." })
  plans(@Ctx() { principal, services }: RequestContext): Promise<Plan[]> {
    return services.plans.list(principal);
  }

  @Authorized(Permission.MANAGE_CATALOG)
  @Mutation(() => Plan, {
    description:
      'Adds a plan to the catalog, or a custom plan for one organisation. Errors: BAD_USER_INPUT with reason INVALID_CODE, DUPLICATE_CODE, INVALID_NAME, INVALID_CURRENCY, INVALID_AMOUNT, UNKNOWN_METRIC, DUPLICATE_CHARGE, INVALID_CHARGE, INVALID_TIERS, INVALID_DIMENSION_PRICES, INVALID_LIMITS, INVALID_FEATURE, DUPLICATE_FEATURE or OUT_OF_RANGE.',
  })
  createPlan(
    @Arg('input', { description: 'The plan.' }) input: CreatePlanInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Plan> {
    return services.plans.create(principal, input);
  }

  @FieldResolver(() => Money, { description: 'The fixed fee per period, before usage.' })
  basePrice(@Root() plan: Plan): Money {
    return Money.rounded(plan.basePriceAmount, plan.currency);
  }

  @FieldResolver(() => [PlanCharge], { description: 'What it includes, limits and charges, one entry per metric.' })
  charges(@Root() plan: Plan, @Ctx() { loaders }: RequestContext): Promise<PlanCharge[]> {
    return loaders.chargesByPlan.load(plan.id);
  }
}

@Resolver(() => PlanCharge)
export class PlanChargeResolver {
  @FieldResolver(() => String, { description: 'Code of the metric charged.' })
  async metric(@Root() charge: PlanCharge, @Ctx() { loaders }: RequestContext): Promise<string> {
    const metric = await loaders.metric.load(charge.metricId);
    if (!metric) throw new Error(`Charge ${charge.id} points at a missing metric`);
    return metric.code;
  }
}
