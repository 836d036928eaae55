import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Plan } from '../plan/plan.entity';
import { PlanSubscription } from '../subscription/plan-subscription.entity';
import { AlertWebhookPayload } from './dto/alert-webhook.payload';
import { CreateOrganizationInput } from './dto/create-organization.input';
import { OrganizationConnection } from './dto/organization-connection.types';
import { Organization } from './organization.entity';
import { Project } from './project.entity';
import { Team } from './team.entity';
import { User } from './user.entity';

@Resolver(() => Organization)
export class OrganizationResolver {
  @Authorized(Permission.VIEW_ORGANIZATION)
  @Query(() => Organization, {
    nullable: true,
    description:
      "One organisation, with its plan and subscription. Another tenant's is FORBIDDEN; one that does not exist is NOT_FOUND (ORGANIZATION_NOT_FOUND).",
  })
  organization(
    @Arg('id', () => ID, { description: 'The organisation (Organization.id).' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Organization> {
    return services.organizations.get(principal, id);
  }

  @Authorized(Permission.MANAGE_ORGANIZATIONS)
  @Query(() => OrganizationConnection, {
    description:
      'Every organisation, newest first, in keyset pages; platform admins only (others: FORBIDDEN). A bad `first` is ' +
      'BAD_USER_INPUT (INVALID_PAGE_SIZE), a cursor not of this list BAD_USER_INPUT (INVALID_CURSOR).',
  })
  organizations(
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 to 100; default 20.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'An OrganizationEdge.cursor: the page after it. Default: the first page.' })
    after: string | null,
    @Arg('search', () => String, {
      nullable: true,
      description:
        'Only organisations whose name contains it or whose id starts with it, ignoring case; at most 200 characters ' +
        '(longer: BAD_USER_INPUT, INVALID_ARGUMENT). Blank or null: all.',
    })
    search: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<OrganizationConnection> {
    return services.organizations.list(principal, first, after, search);
  }

  @Authorized(Permission.MANAGE_ORGANIZATIONS)
  @Mutation(() => Organization, {
    description:
      'Creates an organisation subscribed to a catalog plan, with the default alert rules. Errors: BAD_USER_INPUT with reason INVALID_NAME, UNKNOWN_PLAN, INVALID_CURRENCY, CURRENCY_MISMATCH or INVALID_TEST_CLOCK.',
  })
  createOrganization(
    @Arg('input', { description: 'The organisation.' }) input: CreateOrganizationInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Organization> {
    return services.organizations.create(principal, input);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => AlertWebhookPayload, { description: 'Where webhook alerts go; returns a new signing secret, shown once.' })
  setAlertWebhook(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('url', { description: 'An https URL on a public host (INVALID_URL, URL_TOO_LONG, HTTPS_REQUIRED, INTERNAL_ADDRESS otherwise).' })
    url: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AlertWebhookPayload> {
    return services.organizationSettings.setWebhook(principal, organizationId, url);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => User, { description: 'Adds or updates a billing contact, who receives alert emails.' })
  setBillingContact(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('email', { description: 'Where alert emails go (INVALID_EMAIL for one that is not an address).' }) email: string,
    @Arg('user', () => String, { nullable: true, description: "The platform's user key; the email by default." }) user: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<User> {
    return services.organizationSettings.setBillingContact(principal, organizationId, email, user);
  }

  @Authorized(Permission.MANAGE_ALERTS)
  @Mutation(() => [String], {
    description:
      'Replaces the phone numbers (E.164, e.g. +14155550100; at most 10) that alerts on the "sms" channel are texted to; [] stops them. ' +
      'Platform admins, tenant admins and billing contacts of the organisation. BAD_USER_INPUT: INVALID_PHONE_NUMBER, TOO_MANY_RECIPIENTS, ' +
      'SMS_NOT_CONFIGURED (the server has no SMS settings).',
  })
  setAlertSmsRecipients(
    @Arg('organizationId', () => ID, { description: 'The organisation whose alerts are texted.' }) organizationId: string,
    @Arg('phoneNumbers', () => [String], { description: 'The whole new list, in E.164 form; duplicates are dropped.' })
    phoneNumbers: string[],
    @Ctx() { principal, services }: RequestContext,
  ): Promise<string[]> {
    return services.organizationSettings.setSmsRecipients(principal, organizationId, phoneNumbers);
  }

  @FieldResolver(() => [String], {
    nullable: true,
    description: 'Phone numbers (E.164) its SMS alerts go to; null for keys that may not manage its alerts.',
  })
  alertSmsRecipients(@Root() organization: Organization, @Ctx() { principal, services }: RequestContext): string[] | null {
    return services.organizationSettings.smsRecipientsFor(principal, organization);
  }

  @FieldResolver(() => String, { nullable: true })
  alertWebhookUrl(@Root() organization: Organization, @Ctx() { principal, services }: RequestContext): string | null {
    return services.organizationSettings.webhookUrlFor(principal, organization);
  }

  @FieldResolver(() => Plan, { nullable: true, description: 'The plan of its current subscription.' })
  async plan(@Root() organization: Organization, @Ctx() { loaders }: RequestContext): Promise<Plan | null> {
    const subscription = await loaders.subscriptionByOrganization.load(organization.id);
    return subscription ? loaders.plan.load(subscription.planId) : null;
  }

  @FieldResolver(() => PlanSubscription, { nullable: true, description: 'Its subscription: plan, current period, scheduled changes.' })
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
