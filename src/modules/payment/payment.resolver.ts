import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../common/graphql/request-context';
import { PaymentSetupPayload } from './dto/payment-setup.types';
import { PaymentError, PaymentErrorReason } from './payment.error';

@Resolver()
export class PaymentResolver {
  @Authorized(Permission.MANAGE_PAYMENT)
  @Mutation(() => PaymentSetupPayload, {
    description: 'Starts attaching a card with Stripe (a SetupIntent); invoices are then charged automatically.',
  })
  createPaymentSetup(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<PaymentSetupPayload> {
    if (!services.payments)
      throw new PaymentError(PaymentErrorReason.NOT_CONFIGURED, 'Payments are collected manually here: STRIPE_SECRET_KEY is not set');
    return services.payments.createSetup(principal, organizationId);
  }
}
