import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../common/graphql/request-context';
import { CloseBillingPeriodInput, CloseBillingPeriodPayload } from '../invoice/dto/invoice.types';
import { Organization } from '../organization/organization.entity';

@Resolver()
export class BillingResolver {
  @Authorized(Permission.RUN_BILLING)
  @Mutation(() => CloseBillingPeriodPayload, {
    description: 'Closes every period that has ended (or the one given) into invoices; safe to repeat.',
  })
  async closeBillingPeriod(
    @Arg('input') input: CloseBillingPeriodInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CloseBillingPeriodPayload> {
    const invoices = await services.billing.closeBillingPeriod(principal, input);
    return { invoicesCreated: invoices.length, invoices };
  }

  @Authorized(Permission.RUN_BILLING)
  @Mutation(() => Organization, {
    description: "Moves a simulated organisation's clock forward; periods close and invoices fall due as in real time.",
  })
  advanceTestClock(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('to', () => Date) to: Date,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Organization> {
    return services.billing.advanceTestClock(principal, organizationId, to);
  }
}
