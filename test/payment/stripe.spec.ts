import {
  AdvanceTestClockDocument,
  CreateOrganizationDocument,
  CreatePaymentSetupDocument,
  InvoicesDocument,
  VoidInvoiceDocument,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { deliverStripeEvent, startFakeStripe, type FakeStripe } from '../helpers/fake-stripe';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';

const SECRET = 'whsec_meterly_test';

describe('collection through Stripe', () => {
  let stripe: FakeStripe;
  let t: TestServer;
  let eventSeq = 0;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    t = await startTestServer({}, undefined, { client: stripe.client(), webhookSecret: SECRET });
    await planWithOrganization(t.admin, [{ code: 'pay_calls', unit: 'call', aggregation: 'SUM' }], {
      code: 'pay',
      name: 'Pay',
      currency: 'USD',
      basePrice: '20',
      charges: [{ metric: 'pay_calls', model: 'PER_UNIT', unitPrice: '0.5' }],
    });
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const webhook = async (
    type: string,
    object: Record<string, unknown>,
    options: { id?: string; timestamp?: number; secret?: string } = {},
  ) => {
    const event = { id: options.id ?? `evt_${++eventSeq}`, type, data: { object } };
    const answer = await deliverStripeEvent(t.server.url, options.secret ?? SECRET, event, { timestamp: options.timestamp });
    return { ...answer, event };
  };

  /** An organisation with a card attached through a SetupIntent (by its tenant admin), owing $21.50 for March. */
  async function customerWithCard(paymentMethod: string) {
    const { createOrganization } = await t.admin.data(CreateOrganizationDocument, {
      input: { name: 'payer', planCode: 'pay', testClock: '2026-03-10T12:00:00Z' },
    });
    const org = createOrganization.id;
    expect(await t.db.query('SELECT stripe_customer_id FROM organizations WHERE id = $1', [org])).toEqual([
      { stripe_customer_id: expect.stringMatching(/^cus_/) },
    ]);
    const admin = t.client(await createApiKey(t.admin, org, 'TENANT_ADMIN'));
    const { createPaymentSetup } = await admin.data(CreatePaymentSetupDocument, { organizationId: org });
    expect(createPaymentSetup.clientSecret).toMatch(/^seti_.+_secret_/);
    expect(
      (
        await webhook('setup_intent.succeeded', {
          id: createPaymentSetup.setupIntentId,
          object: 'setup_intent',
          customer: createPaymentSetup.customerId,
          payment_method: paymentMethod,
          status: 'succeeded',
        })
      ).status,
    ).toBe(200);
    await record(t.admin, org, [{ id: 'c', metric: 'pay_calls', quantity: '3', timestamp: at(0) }]);
    return { org, customer: createPaymentSetup.customerId };
  }

  const invoicesOf = async (org: string) =>
    (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges.map((e) => e.node);

  it('charges the invoice on the first business day after close, once, with the invoice id as idempotency key', async () => {
    const { org, customer } = await customerWithCard('pm_card_visa');
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T09:00:00Z' });
    const [invoice] = await invoicesOf(org);
    expect(invoice).toMatchObject({ status: 'PAID', total: { amount: '21.50' }, amountDue: { amount: '0.00' } });
    const charges = stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(charges).toEqual([
      expect.objectContaining({
        idempotencyKey: invoice!.id,
        body: expect.objectContaining({ amount: '2150', currency: 'usd', customer }),
      }),
    ]);
    // Stripe confirms it by webhook as well: already paid, nothing changes.
    const intent = [...stripe.paymentIntents.values()].find((pi) => pi.metadata.invoiceId === invoice!.id)!;
    expect((await webhook('payment_intent.succeeded', { ...intent, object: 'payment_intent' })).status).toBe(200);
    expect((await invoicesOf(org))[0]!.status).toBe('PAID');
    // The card was never ours: only Stripe's ids are stored.
    const [row] = await t.db.query('SELECT stripe_customer_id, stripe_payment_method_id FROM organizations WHERE id = $1', [org]);
    expect(row).toEqual({ stripe_customer_id: customer, stripe_payment_method_id: 'pm_card_visa' });
  });

  it('records a failed payment, then marks the invoice paid when Stripe reports success', async () => {
    stripe.failNextPayments('pm_card_declined', 1);
    const { org } = await customerWithCard('pm_card_declined');
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T09:00:00Z' });
    const [invoice] = await invoicesOf(org);
    expect(invoice!.status).toBe('OPEN');
    const [row] = await t.db.query('SELECT payment_attempts, last_payment_error, stripe_payment_intent_id FROM invoices WHERE id = $1', [
      invoice!.id,
    ]);
    expect(row).toMatchObject({
      payment_attempts: 1,
      last_payment_error: 'Your card was declined.',
      stripe_payment_intent_id: expect.stringMatching(/^pi_/),
    });

    const failed = await webhook('payment_intent.payment_failed', {
      id: row.stripe_payment_intent_id,
      object: 'payment_intent',
      metadata: { invoiceId: invoice!.id },
      last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
    });
    expect(failed.body).toEqual({ received: true, duplicate: false });
    // As Stripe sends it: the amount received and its currency, which must cover the invoice.
    const succeeded = await webhook('payment_intent.succeeded', {
      id: row.stripe_payment_intent_id,
      object: 'payment_intent',
      amount: 2150,
      amount_received: 2150,
      currency: 'usd',
      metadata: { invoiceId: invoice!.id },
    });
    expect(succeeded.status).toBe(200);
    expect((await invoicesOf(org))[0]).toMatchObject({ status: 'PAID', amountDue: { amount: '0.00' } });

    // A replayed event is applied once.
    const replay = await webhook(
      'payment_intent.payment_failed',
      { id: row.stripe_payment_intent_id, object: 'payment_intent', metadata: { invoiceId: invoice!.id } },
      { id: failed.event.id },
    );
    expect(replay.body).toEqual({ received: true, duplicate: true });
    expect((await invoicesOf(org))[0]!.status).toBe('PAID');
  });

  it('never marks a voided invoice paid: the payment is noted on it and the event acknowledged, not retried forever', async () => {
    stripe.failNextPayments('pm_card_declined', 1);
    const { org } = await customerWithCard('pm_card_declined');
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T09:00:00Z' });
    const [invoice] = await invoicesOf(org);
    expect((await t.admin.data(VoidInvoiceDocument, { id: invoice!.id })).voidInvoice.status).toBe('VOID');
    const [{ stripe_payment_intent_id: intentId }] = await t.db.query('SELECT stripe_payment_intent_id FROM invoices WHERE id = $1', [
      invoice!.id,
    ]);
    const paid = await webhook('payment_intent.succeeded', {
      id: intentId,
      object: 'payment_intent',
      metadata: { invoiceId: invoice!.id },
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ received: true, ignored: expect.stringContaining('VOID invoice, which cannot become PAID') });
    expect((await invoicesOf(org))[0]).toMatchObject({ status: 'VOID', amountDue: { amount: '21.50' } });
    const [noted] = await t.db.query('SELECT last_payment_error FROM invoices WHERE id = $1', [invoice!.id]);
    expect(noted.last_payment_error).toMatch(/refund or reapply/);
    expect(await t.db.query('SELECT id FROM stripe_events WHERE id = $1', [paid.event.id])).toEqual([{ id: paid.event.id }]);
  });

  it('refuses a webhook with a bad signature or an old timestamp', async () => {
    const forged = await webhook('payment_intent.succeeded', { id: 'pi_x', object: 'payment_intent' }, { secret: 'whsec_someone_else' });
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    const stale = await webhook(
      'payment_intent.succeeded',
      { id: 'pi_x', object: 'payment_intent' },
      { timestamp: Math.floor(Date.now() / 1000) - 600 },
    );
    expect(stale.status).toBe(400);
    expect(await t.db.query(`SELECT id FROM stripe_events WHERE id = ANY($1)`, [[forged.event.id, stale.event.id]])).toEqual([]);
  });

  /** An open invoice of $21.50 whose first charge was declined, and its PaymentIntent. */
  async function declinedInvoice() {
    stripe.failNextPayments('pm_card_declined', 1);
    const { org } = await customerWithCard('pm_card_declined');
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T09:00:00Z' });
    const [invoice] = await invoicesOf(org);
    const [{ stripe_payment_intent_id: intentId }] = await t.db.query('SELECT stripe_payment_intent_id FROM invoices WHERE id = $1', [
      invoice!.id,
    ]);
    return { org, invoiceId: invoice!.id, intentId: intentId as string };
  }

  it('marks an invoice paid only when its own PaymentIntent covers it, in its currency', async () => {
    const { org, invoiceId, intentId } = await declinedInvoice();
    const paid = (object: Record<string, unknown>) =>
      webhook('payment_intent.succeeded', { id: intentId, object: 'payment_intent', metadata: { invoiceId }, ...object });
    const lastError = async () =>
      (await t.db.query('SELECT last_payment_error FROM invoices WHERE id = $1', [invoiceId]))[0].last_payment_error as string;

    const short = await paid({ amount: 2149, amount_received: 2149, currency: 'usd' });
    expect(short).toMatchObject({
      status: 200,
      body: { received: true, duplicate: false, ignored: expect.stringContaining('does not cover') },
    });
    expect(await lastError()).toBe(`Payment ${intentId} of 21.49 USD does not cover the 21.50 USD due`);
    const euros = await paid({ amount: 2150, amount_received: 2150, currency: 'eur' });
    expect(euros.body.ignored).toBe(`Payment ${intentId} of 21.50 EUR does not cover the 21.50 USD due`);
    expect((await paid({})).body.ignored).toBe(`Payment ${intentId} of an unknown amount does not cover the 21.50 USD due`);
    const foreign = await webhook('payment_intent.succeeded', {
      id: 'pi_someone_elses',
      object: 'payment_intent',
      amount: 2150,
      amount_received: 2150,
      currency: 'usd',
      metadata: { invoiceId },
    });
    expect(foreign.body.ignored).toBe("Payment pi_someone_elses is not this invoice's PaymentIntent");
    expect((await invoicesOf(org))[0]).toMatchObject({ status: 'OPEN', amountDue: { amount: '21.50' } });

    expect((await paid({ amount: 2150, amount_received: 2150, currency: 'usd' })).body).toEqual({ received: true, duplicate: false });
    expect((await invoicesOf(org))[0]).toMatchObject({ status: 'PAID', amountDue: { amount: '0.00' } });
    expect(await lastError()).toBeNull();
  });

  it('acknowledges an event it cannot apply, once, and leaves everything as it was', async () => {
    const { org, invoiceId } = await declinedInvoice();
    const cases = [
      [
        'payment_intent.succeeded',
        { id: 'pi_nobody', object: 'payment_intent', amount: 1, currency: 'usd', metadata: { invoiceId: 'not-a-uuid' } },
      ],
      [
        'payment_intent.succeeded',
        { id: 'pi_nobody', object: 'payment_intent', metadata: { invoiceId: '00000000-0000-4000-8000-000000000000' } },
      ],
      [
        'payment_intent.payment_failed',
        { id: 'pi_nobody', object: 'payment_intent', metadata: { invoiceId: "'; DROP TABLE invoices; --" } },
      ],
      ['payment_intent.succeeded', { object: 'payment_intent', metadata: { invoiceId } }],
    ] as const;
    for (const [type, object] of cases) {
      const res = await webhook(type, object);
      expect([type, res.status, res.body]).toEqual([type, 200, { received: true, duplicate: false, ignored: expect.any(String) }]);
      // Stored: Stripe's retry of the same event is a duplicate, not another failure.
      expect((await webhook(type, object, { id: res.event.id })).body).toEqual({ received: true, duplicate: true });
    }
    expect((await invoicesOf(org))[0]).toMatchObject({ status: 'OPEN', amountDue: { amount: '21.50' } });
  });

  it('refuses a timestamp from the future beyond the tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await webhook('customer.created', { id: 'cus_x', object: 'customer' }, { timestamp: now + 600 });
    expect(future).toMatchObject({ status: 400, body: { error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('future') } } });
    expect(await t.db.query('SELECT id FROM stripe_events WHERE id = $1', [future.event.id])).toEqual([]);
    // Clocks drift: a minute ahead is within the tolerance.
    expect((await webhook('customer.created', { id: 'cus_x', object: 'customer' }, { timestamp: now + 60 })).status).toBe(200);
  });

  it('answers every error in JSON, an oversized body included', async () => {
    const url = t.server.url.replace(/\/graphql$/, '/webhooks/stripe');
    const big = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await big.json()).toEqual({ error: { code: 'BAD_USER_INPUT', message: 'The request body is too large' } });
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([unsigned.status, unsigned.headers.get('content-type')]).toEqual([400, expect.stringMatching(/^application\/json/)]);
    expect(await unsigned.json()).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    const empty = await fetch(url, { method: 'POST' });
    expect([empty.status, ((await empty.json()) as { error: { code: string } }).error.code]).toEqual([400, 'BAD_USER_INPUT']);
  });

  it('answers a payment setup without Stripe configured with BAD_USER_INPUT', async () => {
    const plain = await startTestServer();
    try {
      await planWithOrganization(plain.admin, [{ code: 'x_calls', unit: 'call', aggregation: 'SUM' }], {
        code: 'x',
        name: 'X',
        currency: 'USD',
        basePrice: '1',
        charges: [],
      });
      const [{ id }] = await plain.db.query('SELECT id FROM organizations LIMIT 1');
      expect(await plain.admin.errorCode(CreatePaymentSetupDocument, { organizationId: id })).toBe('BAD_USER_INPUT');
    } finally {
      await plain.close();
    }
  });
});
