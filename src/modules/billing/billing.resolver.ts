import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { CloseBillingPeriodInput, CloseBillingPeriodPayload } from '../invoice/dto/invoice.types';
import { Invoice } from '../invoice/invoice.entity';
import { Organization } from '../organization/organization.entity';

@Resolver(() => CloseBillingPeriodPayload)
export class BillingResolver {
  @Authorized(Permission.RUN_BILLING)
  @Mutation(() => CloseBillingPeriodPayload, {
    description: 'Closes every period that has ended (or the one given) into invoices; safe to repeat.',
  })
  async closeBillingPeriod(
    @Arg('input', {
      description: 'Which periods. Errors: BAD_USER_INPUT with reason INVALID_PERIOD_END (not a month start) or PERIOD_NOT_ENDED.',
    })
    input: CloseBillingPeriodInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CloseBillingPeriodPayload> {
    const invoiceIds = await services.billing.closeBillingPeriod(principal, input);
    return { invoicesCreated: invoiceIds.length, invoiceIds };
  }

  /** Read only when the caller asks for them: a close of every organisation creates many. */
  @FieldResolver(() => [Invoice])
  invoices(@Root() payload: CloseBillingPeriodPayload, @Ctx() { services }: RequestContext): Promise<Invoice[]> {
    return services.billing.invoicesByIds(payload.invoiceIds);
  }

  @Authorized(Permission.RUN_BILLING)
  @Mutation(() => Organization, {
    description: "Moves a simulated organisation's clock forward; periods close and invoices fall due as in real time.",
  })
  advanceTestClock(
    @Arg('organizationId', () => ID, { description: 'An organisation created with a testClock (NOT_SIMULATED otherwise).' })
    organizationId: string,
    @Arg('to', () => Date, { description: 'The new time; a clock only moves forward (CLOCK_BACKWARDS).' }) to: Date,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Organization> {
    return services.billing.advanceTestClock(principal, organizationId, to);
  }
}
