import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Plan } from '../plan/plan.entity';
import { FeatureOverrideInput } from './dto/feature-override.input';
import { planFeatureEntitlement } from './entitlement-rules';
import { Entitlement } from './entitlement.types';

@Resolver()
export class EntitlementResolver {
  @Authorized(Permission.VIEW_USAGE)
  @Query(() => [Entitlement], { description: "The organisation's features, static values and metered access, by code." })
  entitlements(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Entitlement[]> {
    return services.entitlements.entitlements(principal, organizationId);
  }

  @Authorized(Permission.VIEW_USAGE)
  @Query(() => Entitlement, { description: 'May the organisation use this feature or metric now? For a product to ask before it serves.' })
  entitlement(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('feature', { description: 'A feature code, or a metric code for metered access (INVALID_FEATURE when malformed).' })
    feature: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Entitlement> {
    return services.entitlements.entitlement(principal, organizationId, feature);
  }

  @Authorized(Permission.MANAGE_ORGANIZATIONS)
  @Mutation(() => Entitlement, { description: 'Grants, withdraws or reconfigures a feature for one organisation, whatever its plan says.' })
  setFeatureOverride(
    @Arg('input', { description: 'The override. Errors: BAD_USER_INPUT with reason INVALID_FEATURE or INVALID_CONFIG.' })
    input: FeatureOverrideInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Entitlement> {
    return services.entitlements.setOverride(principal, input);
  }

  @Authorized(Permission.MANAGE_ORGANIZATIONS)
  @Mutation(() => Entitlement, { description: 'Removes an override: the plan decides again.' })
  removeFeatureOverride(
    @Arg('organizationId', () => ID, { description: 'The organisation.' }) organizationId: string,
    @Arg('feature', { description: 'The feature or metric code overridden (NOT_FOUND, reason NO_OVERRIDE, when it has none).' })
    feature: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Entitlement> {
    return services.entitlements.removeOverride(principal, organizationId, feature);
  }
}

@Resolver(() => Plan)
export class PlanFeatureResolver {
  @FieldResolver(() => [Entitlement], { description: 'The features the plan grants, as it grants them.' })
  async features(@Root() plan: Plan, @Ctx() { services }: RequestContext): Promise<Entitlement[]> {
    return (await services.entitlements.featuresOf(plan.id)).map(planFeatureEntitlement);
  }
}
