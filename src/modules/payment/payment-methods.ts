import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { Organization } from '../organization/organization.entity';
import { tenantScope } from '../organization/tenant-scope';
import { PaymentMethod, PaymentMethodType } from './dto/payment-method.types';
import type { PaymentSetupPayload } from './dto/payment-setup.types';
import { PaymentError, PaymentErrorReason } from './payment.error';

/** Finds or creates the organisation's Stripe customer (StripePayments). */
export interface StripeCustomers {
  ensureCustomer(organization: Organization): Promise<string>;
}

/** Stripe ids: pm_ for PaymentMethods, card_ and ba_ for the older objects Stripe still lists. */
const PAYMENT_METHOD_ID = /^(pm|card|ba|src)_[A-Za-z0-9]{1,250}$/;

const SHOWN_TYPES: ReadonlySet<string> = new Set(Object.values(PaymentMethodType));

/**
 * The organisation's payment methods, kept by Stripe on its customer. We read them from Stripe on each request
 * and store only the default's id (organizations.stripe_payment_method_id, the one invoices are charged to):
 * no card or account details are ever stored here.
 */
export class PaymentMethodService {
  constructor(
    private readonly db: DataSource,
    private readonly stripe: Stripe,
    private readonly customers: StripeCustomers,
  ) {}

  /** A SetupIntent for one kind of method; Stripe.js collects the details with its client secret. */
  async createSetup(principal: Principal, organizationIdInput: string, type: PaymentMethodType): Promise<PaymentSetupPayload> {
    const { organizationId, organization } = await tenantScope(this.db.manager, principal, Permission.MANAGE_PAYMENT, organizationIdInput);
    const customerId = await this.customers.ensureCustomer(organization);
    const intent = await this.stripe.setupIntents.create(
      { customer: customerId, usage: 'off_session', allowed_payment_method_types: [type], metadata: { organizationId } },
      { idempotencyKey: `setup-${organizationId}-${type}-${Date.now()}` },
    );
    return { clientSecret: intent.client_secret ?? '', setupIntentId: intent.id, customerId };
  }

  /** Cards and US bank accounts, newest first, as Stripe lists them. */
  async list(principal: Principal, organizationIdInput: string): Promise<PaymentMethod[]> {
    const { organization } = await tenantScope(this.db.manager, principal, Permission.MANAGE_PAYMENT, organizationIdInput);
    if (!organization.stripeCustomerId) return [];
    const methods = await this.stripe.customers
      .listPaymentMethods(organization.stripeCustomerId, { limit: 100 })
      .autoPagingToArray({ limit: 1000 });
    return methods.filter((m) => SHOWN_TYPES.has(m.type)).map((m) => view(m, m.id === organization.stripePaymentMethodId));
  }

  /** Removes a method from the customer for good; when it was the default, invoices wait until another is chosen. */
  async detach(principal: Principal, organizationIdInput: string, idInput: string): Promise<PaymentMethod> {
    const { organization, method } = await this.owned(principal, organizationIdInput, idInput);
    await this.stripe.paymentMethods.detach(method.id, {}, { idempotencyKey: `detach-${method.id}` });
    if (organization.stripePaymentMethodId === method.id)
      await this.db
        .getRepository(Organization)
        .update({ id: organization.id, stripePaymentMethodId: method.id }, { stripePaymentMethodId: null });
    return view(method, false);
  }

  /** The method invoices are charged to, here and as the Stripe customer's invoice default. */
  async setDefault(principal: Principal, organizationIdInput: string, idInput: string): Promise<PaymentMethod> {
    const { organization, method, customerId } = await this.owned(principal, organizationIdInput, idInput);
    await this.stripe.customers.update(customerId, { invoice_settings: { default_payment_method: method.id } });
    await this.db.getRepository(Organization).update({ id: organization.id }, { stripePaymentMethodId: method.id });
    return view(method, true);
  }

  /** The method, when it is attached to this organisation's customer; any other answers NOT_FOUND alike. */
  private async owned(principal: Principal, organizationIdInput: string, idInput: string) {
    const { organization } = await tenantScope(this.db.manager, principal, Permission.MANAGE_PAYMENT, organizationIdInput);
    if (!PAYMENT_METHOD_ID.test(idInput))
      throw new PaymentError(PaymentErrorReason.INVALID_PAYMENT_METHOD_ID, `"${idInput.slice(0, 60)}" is not a Stripe payment method id`);
    const notFound = () =>
      new PaymentError(PaymentErrorReason.PAYMENT_METHOD_NOT_FOUND, `Payment method ${idInput} is not attached to this organization`);
    const customerId = organization.stripeCustomerId;
    if (!customerId) throw notFound();
    let method: Stripe.PaymentMethod;
    try {
      method = await this.stripe.paymentMethods.retrieve(idInput);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') throw notFound();
      throw err;
    }
    const owner = typeof method.customer === 'string' ? method.customer : method.customer?.id;
    if (owner !== customerId || !SHOWN_TYPES.has(method.type)) throw notFound();
    return { organization, method, customerId };
  }
}

function view(method: Stripe.PaymentMethod, isDefault: boolean): PaymentMethod {
  const card = method.type === PaymentMethodType.CARD ? method.card : undefined;
  const bank = method.type === PaymentMethodType.US_BANK_ACCOUNT ? method.us_bank_account : undefined;
  return Object.assign(new PaymentMethod(), {
    id: method.id,
    type: method.type as PaymentMethodType,
    brand: card?.brand ?? null,
    bankName: bank?.bank_name ?? null,
    last4: card?.last4 ?? bank?.last4 ?? null,
    expMonth: card?.exp_month ?? null,
    expYear: card?.exp_year ?? null,
    isDefault,
  });
}
