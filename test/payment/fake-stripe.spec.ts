import Stripe from 'stripe';
import { signedWebhook, startFakeStripe, type FakeStripe } from '../helpers/fake-stripe';

describe('fake Stripe server', () => {
  let fake: FakeStripe;
  let stripe: Stripe;

  beforeAll(async () => {
    fake = await startFakeStripe();
    stripe = fake.client();
  });

  afterAll(() => fake.close());

  async function customer(): Promise<string> {
    return (await stripe.customers.create({ email: 'ada@example.com' })).id;
  }

  it('creates and retrieves a customer with nested metadata', async () => {
    const created = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada', metadata: { organizationId: 'org_1' } });

    expect(created).toMatchObject({ object: 'customer', email: 'ada@example.com', name: 'Ada', metadata: { organizationId: 'org_1' } });
    expect(created.id).toMatch(/^cus_/);
    expect(await stripe.customers.retrieve(created.id)).toMatchObject({ id: created.id, metadata: { organizationId: 'org_1' } });
    expect(fake.customers.get(created.id)?.email).toBe('ada@example.com');

    const request = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/customers');
    expect(request?.idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(request?.body).toEqual({ email: 'ada@example.com', name: 'Ada', metadata: { organizationId: 'org_1' } });
  });

  it('answers an unknown customer with a resource_missing error', async () => {
    await expect(stripe.customers.retrieve('cus_missing')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      statusCode: 404,
    });
  });

  it('creates a SetupIntent with a client secret', async () => {
    const cus = await customer();
    const setupIntent = await stripe.setupIntents.create({ customer: cus, usage: 'off_session', allowed_payment_method_types: ['card'] });

    expect(setupIntent).toMatchObject({
      object: 'setup_intent',
      customer: cus,
      usage: 'off_session',
      status: 'requires_payment_method',
      allowed_payment_method_types: ['card'],
      payment_method_types: ['card'],
    });
    expect(setupIntent.client_secret).toMatch(new RegExp(`^${setupIntent.id}_secret_`));
    expect(fake.setupIntents.get(setupIntent.id)?.client_secret).toBe(setupIntent.client_secret);
    expect(fake.requests.at(-1)?.body).toMatchObject({ allowed_payment_method_types: ['card'] });
  });

  it('confirms a PaymentIntent and replays it for a repeated idempotency key', async () => {
    const cus = await customer();
    const params: Stripe.PaymentIntentCreateParams = {
      amount: 4200,
      currency: 'usd',
      customer: cus,
      payment_method: 'pm_card_visa',
      off_session: true,
      confirm: true,
      metadata: { invoiceId: 'inv_1' },
    };

    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'invoice-inv_1-attempt-1' });
    expect(first).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 4200,
      amount_received: 4200,
      metadata: { invoiceId: 'inv_1' },
    });
    const count = fake.paymentIntents.size;

    const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'invoice-inv_1-attempt-1' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.paymentIntents.size).toBe(count);
    expect(fake.requests.filter((r) => r.idempotencyKey === 'invoice-inv_1-attempt-1')).toHaveLength(2);
    expect(await stripe.paymentIntents.retrieve(first.id)).toMatchObject({ id: first.id, status: 'succeeded' });

    await expect(
      stripe.paymentIntents.create({ ...params, amount: 1 }, { idempotencyKey: 'invoice-inv_1-attempt-1' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('declines the next payments of a payment method, then succeeds', async () => {
    const cus = await customer();
    fake.failNextPayments('pm_card_flaky');
    const params: Stripe.PaymentIntentCreateParams = {
      amount: 999,
      currency: 'eur',
      customer: cus,
      payment_method: 'pm_card_flaky',
      confirm: true,
    };

    const error: unknown = await stripe.paymentIntents.create(params, { idempotencyKey: 'flaky-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const cardError = error as Stripe.errors.StripeCardError;
    expect(cardError).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline', statusCode: 402 });
    expect(cardError.payment_intent).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
    });
    const declinedId = cardError.payment_intent?.id ?? '';
    expect(fake.paymentIntents.get(declinedId)?.status).toBe('requires_payment_method');

    // Replaying the declined attempt's key answers the same decline, it does not charge again.
    await expect(stripe.paymentIntents.create(params, { idempotencyKey: 'flaky-1' })).rejects.toMatchObject({
      code: 'card_declined',
      payment_intent: { id: declinedId },
    });

    const retried = await stripe.paymentIntents.create(params, { idempotencyKey: 'flaky-2' });
    expect(retried.status).toBe('succeeded');
    expect(retried.id).not.toBe(declinedId);
  });

  it('rejects a non-integer amount', async () => {
    await expect(stripe.paymentIntents.create({ amount: 12.5, currency: 'usd' })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      param: 'amount',
    });
  });

  it('answers unknown routes with a Stripe 404', async () => {
    await expect(stripe.rawRequest('GET', '/v1/nothing_here', {})).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      rawType: 'invalid_request_error',
    });
  });

  it("attaches a completed SetupIntent's method, lists, retrieves and detaches it as Stripe does", async () => {
    const cus = await customer();
    const setup = await stripe.setupIntents.create({ customer: cus, allowed_payment_method_types: ['us_bank_account'] });
    const pm = fake.completeSetup(setup.id, { last4: '6789' });
    expect(fake.setupIntents.get(setup.id)).toMatchObject({ status: 'succeeded', payment_method: pm });

    const [listed] = await stripe.customers.listPaymentMethods(cus, { limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(listed).toMatchObject({
      id: pm,
      object: 'payment_method',
      customer: cus,
      type: 'us_bank_account',
      us_bank_account: { last4: '6789' },
    });
    expect(await stripe.paymentMethods.retrieve(pm)).toMatchObject({ id: pm, customer: cus });
    await stripe.customers.update(cus, { invoice_settings: { default_payment_method: pm } });
    expect((await stripe.customers.retrieve(cus)) as Stripe.Customer).toMatchObject({ invoice_settings: { default_payment_method: pm } });

    expect(await stripe.paymentMethods.detach(pm)).toMatchObject({ id: pm, customer: null });
    expect((await stripe.customers.retrieve(cus)) as Stripe.Customer).toMatchObject({ invoice_settings: { default_payment_method: null } });
    expect((await stripe.customers.listPaymentMethods(cus)).data).toEqual([]);
    await expect(stripe.paymentMethods.detach(pm)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });
    await expect(stripe.paymentMethods.retrieve('pm_missing')).rejects.toMatchObject({ code: 'resource_missing', statusCode: 404 });
  });

  it("sends an invoice for customer-balance bank transfer and gives the customer's funding instructions", async () => {
    const cus = await customer();
    const draft = await stripe.invoices.create({
      customer: cus,
      currency: 'usd',
      collection_method: 'send_invoice',
      days_until_due: 30,
      payment_settings: {
        payment_method_types: ['customer_balance'],
        payment_method_options: { customer_balance: { funding_type: 'bank_transfer', bank_transfer: { type: 'us_bank_transfer' } } },
      },
    });
    expect(draft).toMatchObject({ object: 'invoice', status: 'draft', number: null, hosted_invoice_url: null });
    await stripe.invoiceItems.create({ customer: cus, invoice: draft.id, currency: 'usd', amount: 4200 });
    const sent = await stripe.invoices.finalizeInvoice(draft.id);
    expect(sent).toMatchObject({
      status: 'open',
      amount_due: 4200,
      amount_remaining: 4200,
      hosted_invoice_url: expect.stringMatching(/^https:/),
    });
    await expect(stripe.invoiceItems.create({ customer: cus, invoice: draft.id, currency: 'usd', amount: 1 })).rejects.toMatchObject({
      code: 'invoice_not_editable',
    });

    const ask = () =>
      stripe.customers.createFundingInstructions(cus, {
        currency: 'usd',
        funding_type: 'bank_transfer',
        bank_transfer: { type: 'us_bank_transfer' },
      });
    const funding = await ask();
    expect(funding).toMatchObject({
      object: 'funding_instructions',
      funding_type: 'bank_transfer',
      bank_transfer: { type: 'us_bank_transfer' },
    });
    expect(funding.bank_transfer.financial_addresses.map((a) => a.type)).toEqual(['aba', 'swift']);
    expect((await ask()).bank_transfer).toEqual(funding.bank_transfer);
    expect(fake.payByBankTransfer(sent.id)).toMatchObject({ id: sent.id, status: 'paid', amount_paid: 4200, amount_remaining: 0 });
  });

  describe('signedWebhook', () => {
    const secret = 'whsec_test_secret';
    const event = { id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', object: 'payment_intent' } } };

    it('verifies with the SDK', () => {
      const { body, signature } = signedWebhook(secret, event);
      const verified = stripe.webhooks.constructEvent(body, signature, secret, 300);
      expect(verified).toMatchObject({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } });
    });

    it('rejects a tampered body', () => {
      const { body, signature } = signedWebhook(secret, event);
      expect(() => stripe.webhooks.constructEvent(body.replace('pi_1', 'pi_2'), signature, secret, 300)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
    });

    it('rejects a signature ten minutes old', () => {
      const { body, signature } = signedWebhook(secret, event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
      expect(() => stripe.webhooks.constructEvent(body, signature, secret, 300)).toThrow(/tolerance/);
    });
  });
});
