import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import type { RequestContext } from '../../app/request-context';
import { Invoice } from '../invoice/invoice.entity';
import { instructionsOf } from './bank-transfers';
import { BankTransferInstructions } from './dto/bank-transfer.types';
import { PaymentMethod, PaymentMethodType } from './dto/payment-method.types';
import { PaymentSetupPayload } from './dto/payment-setup.types';
import { PaymentError, PaymentErrorReason } from './payment.error';

const ROLES = 'Platform admins, and tenant admins and billing contacts of the organisation; anyone else FORBIDDEN.';
const NOT_CONFIGURED = 'Without Stripe configured (STRIPE_SECRET_KEY) BAD_USER_INPUT, reason NOT_CONFIGURED.';

/** The payment-method service; the access check comes first, so that a caller without the role learns nothing of the setup. */
function methodsOf({ principal, services }: RequestContext, organizationId: string) {
  authorizeTenant(principal, Permission.MANAGE_PAYMENT, organizationId);
  if (!services.paymentMethods)
    throw new PaymentError(PaymentErrorReason.NOT_CONFIGURED, 'Payments are collected manually here: STRIPE_SECRET_KEY is not set');
  return services.paymentMethods;
}

@Resolver()
export class PaymentResolver {
  @Authorized(Permission.MANAGE_PAYMENT)
  @Mutation(() => PaymentSetupPayload, {
    description: `Starts attaching a card or US bank account with Stripe (a SetupIntent); invoices are then charged automatically. ${ROLES} ${NOT_CONFIGURED}`,
  })
  createPaymentSetup(
    @Arg('organizationId', () => ID, {
      description:
        "The organisation: the caller's own (platform admins: any). Without Stripe configured: BAD_USER_INPUT, reason NOT_CONFIGURED.",
    })
    organizationId: string,
    @Arg('methodType', () => PaymentMethodType, {
      defaultValue: PaymentMethodType.CARD,
      description: 'What Stripe.js collects: CARD (the default) or US_BANK_ACCOUNT (ACH debit, verified through Stripe).',
    })
    methodType: PaymentMethodType | null,
    @Ctx() context: RequestContext,
  ): Promise<PaymentSetupPayload> {
    // An explicit null means the default too.
    return methodsOf(context, organizationId).createSetup(context.principal, organizationId, methodType ?? PaymentMethodType.CARD);
  }

  @Authorized(Permission.MANAGE_PAYMENT)
  @Query(() => [PaymentMethod], {
    description: `The organisation's cards and US bank accounts as Stripe holds them, newest first. ${ROLES} ${NOT_CONFIGURED}`,
  })
  paymentMethods(
    @Arg('organizationId', () => ID, { description: 'The organisation whose payment methods these are.' }) organizationId: string,
    @Ctx() context: RequestContext,
  ): Promise<PaymentMethod[]> {
    return methodsOf(context, organizationId).list(context.principal, organizationId);
  }

  @Authorized(Permission.MANAGE_PAYMENT)
  @Mutation(() => PaymentMethod, {
    description:
      'Removes a payment method from the organisation for good (Stripe detaches it); detaching the default leaves none until another ' +
      `is set. Returns it as it was. A method not attached to this organisation: NOT_FOUND; a malformed id: BAD_USER_INPUT. ${ROLES}`,
  })
  detachPaymentMethod(
    @Arg('organizationId', () => ID, { description: 'The organisation whose payment methods these are.' }) organizationId: string,
    @Arg('id', () => ID, { description: "Stripe's payment method id (pm_…)." }) id: string,
    @Ctx() context: RequestContext,
  ): Promise<PaymentMethod> {
    return methodsOf(context, organizationId).detach(context.principal, organizationId, id);
  }

  @Authorized(Permission.MANAGE_PAYMENT)
  @Mutation(() => PaymentMethod, {
    description: `Makes this method the one invoices are charged to. A method not attached to this organisation: NOT_FOUND. ${ROLES}`,
  })
  setDefaultPaymentMethod(
    @Arg('organizationId', () => ID, { description: 'The organisation whose payment methods these are.' }) organizationId: string,
    @Arg('id', () => ID, { description: "Stripe's payment method id (pm_…)." }) id: string,
    @Ctx() context: RequestContext,
  ): Promise<PaymentMethod> {
    return methodsOf(context, organizationId).setDefault(context.principal, organizationId, id);
  }
}

@Resolver(() => Invoice)
export class InvoicePaymentResolver {
  @FieldResolver(() => BankTransferInstructions, {
    nullable: true,
    description:
      'Where to pay this invoice by bank transfer: set once an unpaid invoice of a net-30 (or longer) USD plan was sent through ' +
      'Stripe; null otherwise, and once it is paid or void.',
  })
  async bankTransfer(@Root() invoice: Invoice, @Ctx() { services, loaders }: RequestContext): Promise<BankTransferInstructions | null> {
    // A page of invoices reads its bank-transfer rows in one query.
    return services.payments ? instructionsOf(invoice, await loaders.bankTransferByInvoice.load(invoice.id)) : null;
  }
}
