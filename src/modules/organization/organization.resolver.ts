import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Plan } from '../plan/plan.entity';
import { PlanSubscription } from '../subscription/plan-subscription.entity';
import { CreateOrganizationInput } from './dto/create-organization.input';
import { Organization } from './organization.entity';
import { Project } from './project.entity';
import { Team } from './team.entity';

@Resolver(() => Organization)
export class OrganizationResolver {
  @Authorized(Permission.VIEW_ORGANIZATION)
  @Query(() => Organization, { nullable: true })
  organization(@Arg('id', () => ID) id: string, @Ctx() { principal, services }: RequestContext): Promise<Organization> {
    return services.organizations.get(principal, id);
  }

  @Authorized(Permission.MANAGE_ORGANIZATIONS)
  @Mutation(() => Organization)
  createOrganization(@Arg('input') input: CreateOrganizationInput, @Ctx() { principal, services }: RequestContext): Promise<Organization> {
    return services.organizations.create(principal, input);
  }

  @FieldResolver(() => Plan, { nullable: true, description: 'The plan of its current subscription.' })
  async plan(@Root() organization: Organization, @Ctx() { loaders }: RequestContext): Promise<Plan | null> {
    const subscription = await loaders.subscriptionByOrganization.load(organization.id);
    return subscription ? loaders.plan.load(subscription.planId) : null;
  }

  @FieldResolver(() => PlanSubscription, { nullable: true })
  subscription(@Root() organization: Organization, @Ctx() { loaders }: RequestContext): Promise<PlanSubscription | null> {
    return loaders.subscriptionByOrganization.load(organization.id);
  }

  @FieldResolver(() => [Team], { description: 'Teams seen so far, by key.' })
  teams(@Root() organization: Organization, @Ctx() { loaders }: RequestContext): Promise<Team[]> {
    return loaders.teamsByOrganization.load(organization.id);
  }

  @FieldResolver(() => [Project], { description: 'Projects seen so far, by key.' })
  projects(@Root() organization: Organization, @Ctx() { loaders }: RequestContext): Promise<Project[]> {
    return loaders.projectsByOrganization.load(organization.id);
  }
}
