import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import type { RequestContext } from '../../app/request-context';
import { PaymentSetupPayload } from './dto/payment-setup.types';
import { PaymentError, PaymentErrorReason } from './payment.error';

@Resolver()
export class PaymentResolver {
  @Authorized(Permission.MANAGE_PAYMENT)
  @Mutation(() => PaymentSetupPayload, {
    description: 'Starts attaching a card with Stripe (a SetupIntent); invoices are then charged automatically.',
  })
  createPaymentSetup(
    @Arg('organizationId', () => ID, {
      description:
        "The organisation: the caller's own (platform admins: any). Without Stripe configured: BAD_USER_INPUT, reason NOT_CONFIGURED.",
    })
    organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PaymentSetupPayload> {
    authorizeTenant(principal, Permission.MANAGE_PAYMENT, organizationId);
    if (!services.payments)
      throw new PaymentError(PaymentErrorReason.NOT_CONFIGURED, 'Payments are collected manually here: STRIPE_SECRET_KEY is not set');
    return services.payments.createSetup(principal, organizationId);
  }
}
