import {
  AdvanceTestClockDocument,
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePaymentSetupDocument,
  CreatePaymentSetupForDocument,
  CreatePlanDocument,
  DetachPaymentMethodDocument,
  InvoiceBankTransferDocument,
  InvoicesDocument,
  PaymentMethodsDocument,
  SetDefaultPaymentMethodDocument,
} from '../generated/graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createApiKey, createTenant } from '../helpers/factories';
import { deliverStripeEvent, startFakeStripe, type FakeStripe } from '../helpers/fake-stripe';
import type { GraphQLClient } from '../helpers/graphql-client';
import { extractPdfText } from '../helpers/pdf-text';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, record } from '../helpers/usage-fixtures';

const SECRET = 'whsec_meterly_methods';

describe('payment methods through Stripe', () => {
  let stripe: FakeStripe;
  let t: TestServer;
  let eventSeq = 0;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    t = await startTestServer({}, undefined, { client: stripe.client(), webhookSecret: SECRET });
    await t.admin.data(CreateMetricDocument, { input: { code: 'pm_calls', unit: 'call', aggregation: 'SUM' } });
    const charges = [{ metric: 'pm_calls', model: 'PER_UNIT' as const, unitPrice: '0.5' }];
    await t.admin.data(CreatePlanDocument, { input: { code: 'pm_card', name: 'Card', currency: 'USD', basePrice: '20', charges } });
    await t.admin.data(CreatePlanDocument, {
      input: { code: 'pm_net30', name: 'Net 30', currency: 'USD', basePrice: '20', paymentTermsDays: 30, charges },
    });
    await t.admin.data(CreatePlanDocument, {
      input: { code: 'pm_net30_eur', name: 'Net 30 EUR', currency: 'EUR', basePrice: '20', paymentTermsDays: 30, charges: [] },
    });
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const webhook = (type: string, object: Record<string, unknown>) =>
    deliverStripeEvent(t.server.url, SECRET, { id: `evt_pm_${++eventSeq}`, type, data: { object } });

  /** What Stripe.js and Stripe do after a SetupIntent: the method is attached, and the webhook makes it the default. */
  async function attach(client: GraphQLClient, org: string, methodType: 'CARD' | 'US_BANK_ACCOUNT', details = {}) {
    const { createPaymentSetup: setup } = await client.data(CreatePaymentSetupForDocument, { organizationId: org, methodType });
    const pm = stripe.completeSetup(setup.setupIntentId, details);
    const res = await webhook('setup_intent.succeeded', {
      id: setup.setupIntentId,
      object: 'setup_intent',
      customer: setup.customerId,
      payment_method: pm,
      status: 'succeeded',
    });
    expect(res.status).toBe(200);
    return { pm, setup };
  }

  const errorOf = async <T, V>(client: GraphQLClient, document: TypedDocumentNode<T, V>, variables: V) => {
    const res = await client.request(document, variables);
    const extensions = res.errors?.[0]?.extensions;
    return { code: extensions?.code, reason: extensions?.reason };
  };

  it('attaches a card and a US bank account through SetupIntents of each type, lists them and marks the default', async () => {
    const { organization, keys } = await createTenant(t.admin, 'pm_card');
    const admin = t.client(keys.tenantAdmin);
    const card = await attach(admin, organization.id, 'CARD', { brand: 'mastercard', last4: '4444', expMonth: 7, expYear: 2031 });
    const bank = await attach(admin, organization.id, 'US_BANK_ACCOUNT', { bankName: 'STRIPE TEST BANK', last4: '6789' });

    const setups = stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/setup_intents').slice(-2);
    expect(setups.map((r) => r.body)).toEqual([
      expect.objectContaining({ customer: card.setup.customerId, usage: 'off_session', allowed_payment_method_types: ['card'] }),
      expect.objectContaining({ customer: card.setup.customerId, usage: 'off_session', allowed_payment_method_types: ['us_bank_account'] }),
    ]);
    // Omitting the type keeps the old shape of the call: a card.
    await admin.data(CreatePaymentSetupDocument, { organizationId: organization.id });
    expect(stripe.requests.at(-1)?.body).toMatchObject({ allowed_payment_method_types: ['card'] });

    const { paymentMethods } = await admin.data(PaymentMethodsDocument, { organizationId: organization.id });
    expect(paymentMethods).toEqual([
      {
        id: bank.pm,
        type: 'US_BANK_ACCOUNT',
        brand: null,
        bankName: 'STRIPE TEST BANK',
        last4: '6789',
        expMonth: null,
        expYear: null,
        isDefault: true,
      },
      { id: card.pm, type: 'CARD', brand: 'mastercard', bankName: null, last4: '4444', expMonth: 7, expYear: 2031, isDefault: false },
    ]);
    // Only Stripe's ids are ours: no card or account details in the database.
    const [row] = await t.db.query('SELECT to_jsonb(o) AS o FROM organizations o WHERE id = $1', [organization.id]);
    expect(JSON.stringify(row.o)).not.toMatch(/4444|6789|mastercard|STRIPE TEST BANK/);
  });

  it('sets the default here and on the Stripe customer, and detaches a method for good', async () => {
    const { organization, keys } = await createTenant(t.admin, 'pm_card');
    const contact = t.client(keys.billingContact);
    const card = await attach(contact, organization.id, 'CARD');
    const bank = await attach(contact, organization.id, 'US_BANK_ACCOUNT');

    const { setDefaultPaymentMethod } = await contact.data(SetDefaultPaymentMethodDocument, {
      organizationId: organization.id,
      id: card.pm,
    });
    expect(setDefaultPaymentMethod).toMatchObject({ id: card.pm, type: 'CARD', isDefault: true });
    expect(stripe.customers.get(card.setup.customerId)?.defaultPaymentMethod).toBe(card.pm);
    const [{ stripe_payment_method_id: charged }] = await t.db.query('SELECT stripe_payment_method_id FROM organizations WHERE id = $1', [
      organization.id,
    ]);
    expect(charged).toBe(card.pm);

    const { detachPaymentMethod } = await contact.data(DetachPaymentMethodDocument, { organizationId: organization.id, id: bank.pm });
    expect(detachPaymentMethod).toMatchObject({ id: bank.pm, type: 'US_BANK_ACCOUNT', isDefault: false });
    expect(stripe.paymentMethods.get(bank.pm)?.customer).toBeNull();
    // Detaching the default leaves none: nothing is charged until another is chosen.
    await contact.data(DetachPaymentMethodDocument, { organizationId: organization.id, id: card.pm });
    expect((await contact.data(PaymentMethodsDocument, { organizationId: organization.id })).paymentMethods).toEqual([]);
    const [after] = await t.db.query('SELECT stripe_payment_method_id FROM organizations WHERE id = $1', [organization.id]);
    expect(after.stripe_payment_method_id).toBeNull();
    // Once detached it is no longer this organisation's.
    expect(await errorOf(contact, DetachPaymentMethodDocument, { organizationId: organization.id, id: card.pm })).toEqual({
      code: 'NOT_FOUND',
      reason: 'PAYMENT_METHOD_NOT_FOUND',
    });
  });

  it('lets platform admins, tenant admins and billing contacts manage payment; members and other tenants are FORBIDDEN', async () => {
    const { organization, keys } = await createTenant(t.admin, 'pm_card');
    const other = await createTenant(t.admin, 'pm_card');
    const org = organization.id;
    const { pm } = await attach(t.admin, org, 'CARD');
    for (const client of [t.admin, t.client(keys.tenantAdmin), t.client(keys.billingContact)]) {
      expect((await client.data(PaymentMethodsDocument, { organizationId: org })).paymentMethods.map((m) => m.id)).toEqual([pm]);
    }
    for (const key of [keys.member, other.keys.tenantAdmin, other.keys.billingContact]) {
      const client = t.client(key);
      expect(await client.errorCode(PaymentMethodsDocument, { organizationId: org })).toBe('FORBIDDEN');
      expect(await client.errorCode(DetachPaymentMethodDocument, { organizationId: org, id: pm })).toBe('FORBIDDEN');
      expect(await client.errorCode(SetDefaultPaymentMethodDocument, { organizationId: org, id: pm })).toBe('FORBIDDEN');
      expect(await client.errorCode(CreatePaymentSetupForDocument, { organizationId: org, methodType: 'US_BANK_ACCOUNT' })).toBe(
        'FORBIDDEN',
      );
    }
    expect(await t.client().errorCode(PaymentMethodsDocument, { organizationId: org })).toBe('UNAUTHENTICATED');
    expect(stripe.paymentMethods.get(pm)?.customer).not.toBeNull();
  });

  it("answers another customer's method NOT_FOUND and each bad input with its code and reason", async () => {
    const mine = await createTenant(t.admin, 'pm_card');
    const theirs = await createTenant(t.admin, 'pm_card');
    const { pm: foreign, setup } = await attach(t.admin, theirs.organization.id, 'CARD');
    const admin = t.client(mine.keys.tenantAdmin);
    const org = mine.organization.id;
    const notFound = { code: 'NOT_FOUND', reason: 'PAYMENT_METHOD_NOT_FOUND' };
    expect(await errorOf(admin, DetachPaymentMethodDocument, { organizationId: org, id: foreign })).toEqual(notFound);
    expect(await errorOf(admin, SetDefaultPaymentMethodDocument, { organizationId: org, id: foreign })).toEqual(notFound);
    expect(await errorOf(admin, DetachPaymentMethodDocument, { organizationId: org, id: 'pm_doesnotexist' })).toEqual(notFound);
    expect(stripe.paymentMethods.get(foreign)?.customer).toBe(setup.customerId);
    const badId = { code: 'BAD_USER_INPUT', reason: 'INVALID_PAYMENT_METHOD_ID' };
    for (const id of ['', 'not a method', 'pm_', `pm_${'x'.repeat(300)}`, '../customers/cus_x'])
      expect(await errorOf(admin, DetachPaymentMethodDocument, { organizationId: org, id })).toEqual(badId);
    expect(await errorOf(t.admin, PaymentMethodsDocument, { organizationId: 'nope' })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await errorOf(t.admin, PaymentMethodsDocument, { organizationId: '00000000-0000-4000-8000-000000000000' })).toEqual({
      code: 'NOT_FOUND',
      reason: 'ORGANIZATION_NOT_FOUND',
    });
    const wrongType = await admin.request(CreatePaymentSetupForDocument, {
      organizationId: org,
      methodType: 'SEPA_DEBIT' as 'CARD',
    });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers every payment-method operation without Stripe configured with BAD_USER_INPUT NOT_CONFIGURED', async () => {
    const plain = await startTestServer();
    try {
      await plain.admin.data(CreatePlanDocument, { input: { code: 'plain', name: 'Plain', currency: 'USD', basePrice: '1', charges: [] } });
      const { createOrganization } = await plain.admin.data(CreateOrganizationDocument, { input: { name: 'plain', planCode: 'plain' } });
      const organizationId = createOrganization.id;
      const notConfigured = { code: 'BAD_USER_INPUT', reason: 'NOT_CONFIGURED' };
      expect(await errorOf(plain.admin, PaymentMethodsDocument, { organizationId })).toEqual(notConfigured);
      expect(await errorOf(plain.admin, DetachPaymentMethodDocument, { organizationId, id: 'pm_x' })).toEqual(notConfigured);
      expect(await errorOf(plain.admin, SetDefaultPaymentMethodDocument, { organizationId, id: 'pm_x' })).toEqual(notConfigured);
      expect(await errorOf(plain.admin, CreatePaymentSetupForDocument, { organizationId, methodType: 'US_BANK_ACCOUNT' })).toEqual(
        notConfigured,
      );
      // A member is refused before anything about the setup is told.
      const member = plain.client(await createApiKey(plain.admin, organizationId, 'MEMBER'));
      expect(await member.errorCode(PaymentMethodsDocument, { organizationId })).toBe('FORBIDDEN');
    } finally {
      await plain.close();
    }
  });

  describe('bank transfer for net-30 plans', () => {
    /** An organisation on a net-30 plan owing $21.50 for March 2026, with a card on file; April 1st has come. */
    async function net30Invoice(planCode = 'pm_net30') {
      const { organization, keys } = await createTenant(t.admin, planCode, undefined, '2026-03-10T12:00:00Z');
      const org = organization.id;
      await attach(t.admin, org, 'CARD');
      if (planCode === 'pm_net30') await record(t.admin, org, [{ id: 'n', metric: 'pm_calls', quantity: '3', timestamp: at(0) }]);
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T09:00:00Z' });
      const [invoice] = (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges.map((e) => e.node);
      return { org, keys, invoice: invoice! };
    }

    it('sends the invoice through Stripe for customer-balance bank transfer and shows the instructions on the invoice and its PDF', async () => {
      const { org, keys, invoice } = await net30Invoice();
      expect(invoice).toMatchObject({ status: 'OPEN', total: { amount: '21.50' }, dueDate: '2026-05-01T00:00:00.000Z' });
      // Not charged to the card: net-30 is paid by transfer.
      expect([...stripe.paymentIntents.values()].filter((pi) => pi.metadata.invoiceId === invoice.id)).toEqual([]);

      const stripeInvoice = [...stripe.invoices.values()].find((i) => i.metadata.invoiceId === invoice.id)!;
      expect(stripeInvoice).toMatchObject({
        status: 'open',
        currency: 'usd',
        collection_method: 'send_invoice',
        days_until_due: 30,
        metadata: { invoiceId: invoice.id, organizationId: org },
        payment_settings: {
          payment_method_types: ['customer_balance'],
          payment_method_options: { customer_balance: { funding_type: 'bank_transfer', bank_transfer: { type: 'us_bank_transfer' } } },
        },
        items: [expect.objectContaining({ amount: 2150 })],
      });
      const funding = stripe.requests.filter((r) => r.path.endsWith('/funding_instructions'));
      expect(funding.at(-1)?.body).toEqual({ currency: 'usd', funding_type: 'bank_transfer', bank_transfer: { type: 'us_bank_transfer' } });

      const contact = t.client(keys.billingContact);
      const { invoice: shown } = await contact.data(InvoiceBankTransferDocument, { id: invoice.id });
      const aba = shown!.bankTransfer!.addresses[0]!;
      expect(shown!.bankTransfer).toEqual({
        amount: { amount: '21.50', currency: 'USD' },
        addresses: [
          {
            type: 'aba',
            bankName: 'STRIPE TEST BANK',
            accountHolderName: 'Meterly test account',
            accountNumber: expect.stringMatching(/^1111\d{8}$/),
            routingNumber: '999999999',
            swiftCode: null,
            networks: ['ach', 'domestic_wire_us'],
          },
          {
            type: 'swift',
            bankName: 'STRIPE TEST BANK',
            accountHolderName: 'Meterly test account',
            accountNumber: aba.accountNumber,
            routingNumber: null,
            swiftCode: 'TSTEZ122',
            networks: ['swift'],
          },
        ],
        hostedInvoiceUrl: stripeInvoice.hosted_invoice_url,
      });

      const pdf = await fetch(invoice.pdfUrl!, { headers: { authorization: `Bearer ${keys.billingContact}` } });
      expect(pdf.status).toBe(200);
      const { text } = extractPdfText(Buffer.from(await pdf.arrayBuffer()));
      expect(text).toContain('Pay USD 21.50 by bank transfer (ach, domestic_wire_us)');
      expect(text).toContain(`Account number ${aba.accountNumber}`);
      expect(text).toContain('Routing number 999999999');
      expect(text).toContain('SWIFT code TSTEZ122');

      // A second cycle sends nothing again.
      const sent = stripe.invoices.size;
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-02T09:00:00Z' });
      expect(stripe.invoices.size).toBe(sent);
    });

    it("settles the invoice when Stripe reports the transfer paid it, and only then; another tenant's key cannot see it", async () => {
      const { org, invoice } = await net30Invoice();
      const stripeInvoice = [...stripe.invoices.values()].find((i) => i.metadata.invoiceId === invoice.id)!;
      const other = await createTenant(t.admin, 'pm_card');
      expect(await t.client(other.keys.tenantAdmin).errorCode(InvoiceBankTransferDocument, { id: invoice.id })).toBe('NOT_FOUND');

      // A Stripe invoice that is not the one we sent for it changes nothing.
      const forged = await webhook('invoice.paid', {
        id: 'in_someone_elses',
        object: 'invoice',
        amount_paid: 2150,
        currency: 'usd',
        metadata: { invoiceId: invoice.id, organizationId: org },
      });
      expect(forged.body).toEqual({ received: true, duplicate: false, ignored: 'no invoice of ours is this Stripe invoice' });
      const short = await webhook('invoice.paid', { ...stripeInvoice, object: 'invoice', amount_paid: 2000, currency: 'usd' });
      expect(short.body.ignored).toMatch(/short of the 21.50 USD due/);
      expect((await t.admin.data(InvoiceBankTransferDocument, { id: invoice.id })).invoice).toMatchObject({ status: 'OPEN' });

      const paid = await webhook('invoice.paid', stripe.payByBankTransfer(stripeInvoice.id));
      expect(paid.body).toEqual({ received: true, duplicate: false });
      expect((await t.admin.data(InvoiceBankTransferDocument, { id: invoice.id })).invoice).toMatchObject({
        status: 'PAID',
        bankTransfer: null,
      });
    });

    it('charges a card as before for plans due on receipt, and outside USD, where Stripe offers no US bank transfer', async () => {
      const card = await createTenant(t.admin, 'pm_card', undefined, '2026-03-10T12:00:00Z');
      await attach(t.admin, card.organization.id, 'CARD');
      await record(t.admin, card.organization.id, [{ id: 'c', metric: 'pm_calls', quantity: '3', timestamp: at(0) }]);
      await t.admin.data(AdvanceTestClockDocument, { organizationId: card.organization.id, to: '2026-04-01T09:00:00Z' });
      const [charged] = (await t.admin.data(InvoicesDocument, { organizationId: card.organization.id })).invoices.edges;
      expect(charged!.node.status).toBe('PAID');
      expect((await t.admin.data(InvoiceBankTransferDocument, { id: charged!.node.id })).invoice!.bankTransfer).toBeNull();

      const { invoice } = await net30Invoice('pm_net30_eur');
      expect(invoice).toMatchObject({ status: 'PAID', total: { amount: '20.00' } });
      expect([...stripe.invoices.values()].filter((i) => i.metadata.invoiceId === invoice.id)).toEqual([]);
      expect((await t.admin.data(InvoiceBankTransferDocument, { id: invoice.id })).invoice!.bankTransfer).toBeNull();
    });
  });
});
