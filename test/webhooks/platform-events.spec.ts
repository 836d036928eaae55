import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { verifyMeterlySignature } from '../../examples/verify-webhook-signature';
import { PLATFORM_EVENT_TYPES } from '../../src/modules/webhook/platform-event-type';
import {
  RejectPlanChangeRequestDocument,
  RequestPlanChangeDocument,
  AdvanceTestClockDocument,
  ChangePlanDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  EnableWebhookEndpointDocument,
  GrantCreditsDocument,
  InvoicesDocument,
  MarkInvoicePaidDocument,
  RedeliverWebhookDocument,
  VoidInvoiceDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
} from '../generated/graphql';
import { createApiKey, createTenant } from '../helpers/factories';
import { deliverStripeEvent, startFakeStripe, type FakeStripe } from '../helpers/fake-stripe';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait-for';

const STRIPE_SECRET = 'whsec_meterly_events_test';

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; createdAt: string; organizationId: string; data: Record<string, unknown> };
}

/** A platform's receiver: answers each POST with what `answer` says (204 by default) and keeps what it got. */
async function startReceiver(answer: (n: number) => number | Promise<number> = () => 204) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) as Received['body'] });
      void Promise.resolve(answer(received.length)).then((status) => res.writeHead(status).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/meterly`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('signed events to the platform', () => {
  let stripe: FakeStripe;
  let t: TestServer;
  let seq = 0;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    t = await startTestServer(
      { webhookRetryBaseMs: 20, webhookMaxAttempts: 4, webhookDisableAfter: 2, webhookAllowedHosts: ['127.0.0.1'] },
      undefined,
      { client: stripe.client(), webhookSecret: STRIPE_SECRET },
    );
    for (const [code, basePrice] of [
      ['hooks_basic', '20'],
      ['hooks_pro', '50'],
    ] as const)
      await t.admin.data(CreatePlanDocument, { input: { code, name: code, currency: 'USD', basePrice, charges: [] } });
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  /** An organisation on the basic plan, on a test clock. */
  async function organization(clock = '2026-03-10T12:00:00Z'): Promise<string> {
    const { createOrganization } = await t.admin.data(CreateOrganizationDocument, {
      input: { name: `hooks ${++seq}`, planCode: 'hooks_basic', testClock: clock },
    });
    return createOrganization.id;
  }

  /** Endpoints take every organisation's events: each test deletes its own, so the next one sees only its events. */
  async function endpoint(url: string, events?: string[]) {
    const { createWebhookEndpoint } = await t.admin.data(CreateWebhookEndpointDocument, { url, events });
    return createWebhookEndpoint;
  }
  const remove = (id: string) => t.admin.data(DeleteWebhookEndpointDocument, { id });
  const deliveries = async (endpointId: string, first = 100) =>
    (await t.admin.data(WebhookDeliveriesDocument, { endpointId, first })).webhookDeliveries;
  const grant = (organizationId: string, amount = '1') => t.admin.data(GrantCreditsDocument, { input: { organizationId, amount } });
  const refusal = async (res: { errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> }) => ({
    code: res.errors?.[0]?.extensions?.code,
    reason: res.errors?.[0]?.extensions?.reason,
    message: res.errors?.[0]?.message,
  });

  it('delivers every event type once, each signed with the endpoint secret, in the documented body', async () => {
    const receiver = await startReceiver();
    const { endpoint: hook, secret } = await endpoint(receiver.url);
    try {
      expect(hook).toMatchObject({ url: receiver.url, events: [...PLATFORM_EVENT_TYPES], disabledAt: null, consecutiveFailures: 0 });
      expect(secret).toMatch(/^whsec_/);
      const org = await organization();
      await grant(org, '5'); // credits.granted
      await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'hooks_pro' } }); // subscription.changed
      // March closes (invoice.issued), is overdue two days later (invoice.overdue) and that raises an alert (alert.triggered).
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-03T00:00:00Z' });
      const [march] = (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges.map((e) => e.node);
      // Stripe reports a declined attempt (invoice.payment_failed); then it is paid by hand (invoice.paid).
      const stripeAnswer = await deliverStripeEvent(t.server.url, STRIPE_SECRET, {
        id: 'evt_hooks_failed',
        type: 'payment_intent.payment_failed',
        data: {
          object: {
            id: 'pi_hooks',
            object: 'payment_intent',
            metadata: { invoiceId: march!.id },
            last_payment_error: { message: 'Declined' },
          },
        },
      });
      expect(stripeAnswer.status).toBe(200);
      await t.admin.data(MarkInvoicePaidDocument, { id: march!.id });
      // April is issued and voided (invoice.voided).
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-05-01T12:00:00Z' });
      const april = (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges.find(
        (e) => e.node.id !== march!.id,
      )!.node;
      await t.admin.data(VoidInvoiceDocument, { id: april.id });
      // The tenant admin asks for the basic plan back (plan_change.requested); the platform refuses (plan_change.decided).
      const tenantAdmin = t.client(await createApiKey(t.admin, org, 'TENANT_ADMIN'));
      const { requestPlanChange } = await tenantAdmin.data(RequestPlanChangeDocument, {
        input: { organizationId: org, planCode: 'hooks_basic' },
      });
      await t.admin.data(RejectPlanChangeRequestDocument, { id: requestPlanChange.id, reason: 'Not this month' });

      const ours = () => receiver.received.filter((r) => r.body.organizationId === org);
      const events: Array<{ id: string; type: string }> = await t.db.query(
        'SELECT id, type FROM webhook_events WHERE organization_id = $1 ORDER BY created_at',
        [org],
      );
      await waitFor(() => (ours().length >= events.length ? true : undefined));
      expect(new Set(events.map((e) => e.type))).toEqual(new Set(PLATFORM_EVENT_TYPES));
      expect(events.filter((e) => e.type === 'invoice.issued')).toHaveLength(2);
      // Once each, under the id the event was written with, signed, with exactly the documented fields.
      expect(
        ours()
          .map((r) => r.body.id)
          .sort(),
      ).toEqual(events.map((e) => e.id).sort());
      for (const r of ours()) {
        expect(verifyMeterlySignature(r.raw, String(r.headers['meterly-signature']), secret)).toBe(true);
        expect(verifyMeterlySignature(r.raw, String(r.headers['meterly-signature']), 'whsec_another')).toBe(false);
        expect(Object.keys(r.body)).toEqual(['id', 'type', 'createdAt', 'organizationId', 'data']);
        expect(r.headers['meterly-event-id']).toBe(r.body.id);
        expect(r.headers['content-type']).toBe('application/json');
        expect(new Date(r.body.createdAt).toISOString()).toBe(r.body.createdAt);
      }
      const byType = (type: string, which: (data: Record<string, Record<string, unknown>>) => boolean = () => true) =>
        ours().find((r) => r.body.type === type && which(r.body.data as Record<string, Record<string, unknown>>))!.body.data;
      const ofInvoice = (id: string) => (data: Record<string, Record<string, unknown>>) => data.invoice?.id === id;
      expect(byType('credits.granted')).toEqual({
        grant: {
          id: expect.any(String),
          amount: '5',
          currency: 'USD',
          reason: null,
          expiresAt: null,
          grantedAt: '2026-03-10T12:00:00.000Z',
        },
      });
      expect(byType('plan_change.decided')).toMatchObject({
        request: { id: requestPlanChange.id, status: 'REJECTED', plan: { code: 'hooks_basic' }, reason: 'Not this month' },
      });
      expect(byType('subscription.changed')).toEqual({
        change: {
          id: expect.any(String),
          kind: 'upgraded',
          fromPlan: 'hooks_basic',
          toPlan: 'hooks_pro',
          effectiveAt: '2026-03-10T12:00:00.000Z',
        },
      });
      expect(byType('invoice.issued', ofInvoice(march!.id))).toEqual({
        invoice: expect.objectContaining({
          id: march!.id,
          number: march!.number,
          status: 'OPEN',
          currency: 'USD',
          total: march!.total.amount,
          amountDue: march!.total.amount,
          periodStart: '2026-03-01T00:00:00.000Z',
          periodEnd: '2026-04-01T00:00:00.000Z',
          paidAt: null,
        }),
      });
      expect(byType('invoice.overdue')).toMatchObject({ invoice: { id: march!.id, status: 'OVERDUE' } });
      expect(byType('invoice.payment_failed')).toMatchObject({ invoice: { id: march!.id }, payment: { error: 'Declined', attempt: 1 } });
      expect(byType('invoice.paid')).toMatchObject({ invoice: { id: march!.id, status: 'PAID', amountDue: '0.00' } });
      expect(byType('invoice.voided')).toMatchObject({ invoice: { id: april.id, status: 'VOID' } });
      expect(byType('alert.triggered', (data) => data.alert?.kind === 'invoice_overdue')).toMatchObject({ alert: { severity: 'WARNING' } });
      expect(byType('alert.triggered', (data) => data.alert?.kind === 'payment_failed')).toMatchObject({ alert: { severity: 'CRITICAL' } });

      // The log: every delivery DELIVERED at the first attempt, and paged newest first by cursor. The worker records
      // a delivery once the receiver has answered, so the last ones may still be on their way to the log.
      const log = await waitFor(async () => {
        const ofOrg = (await deliveries(hook.id)).filter((d) => d.organizationId === org);
        return ofOrg.length === events.length && ofOrg.every((d) => d.status !== 'PENDING') ? ofOrg : undefined;
      });
      for (const d of log)
        expect(d).toMatchObject({
          status: 'DELIVERED',
          attempts: 1,
          lastError: null,
          nextAttemptAt: null,
          deliveredAt: expect.any(String),
        });
      const first = (await t.admin.data(WebhookDeliveriesDocument, { endpointId: hook.id, first: 3 })).webhookDeliveries;
      const next = (await t.admin.data(WebhookDeliveriesDocument, { endpointId: hook.id, first: 3, after: first.at(-1)!.cursor }))
        .webhookDeliveries;
      const all = await deliveries(hook.id);
      expect([...first, ...next].map((d) => d.id)).toEqual(all.slice(0, 6).map((d) => d.id));
    } finally {
      await remove(hook.id);
      await receiver.close();
    }
  });

  it('retries while the receiver is down, then delivers: no event lost, none under another id', async () => {
    // Down for three attempts, then up.
    const receiver = await startReceiver((n) => (n <= 3 ? 503 : 200));
    const { endpoint: hook, secret } = await endpoint(receiver.url, ['credits.granted']);
    try {
      const org = await organization();
      await grant(org, '1');
      await grant(org, '2');
      const events: Array<{ id: string }> = await t.db.query('SELECT id FROM webhook_events WHERE organization_id = $1', [org]);
      expect(events).toHaveLength(2);
      const log = await waitFor(async () => {
        const rows = await deliveries(hook.id);
        return rows.length === 2 && rows.every((d) => d.status === 'DELIVERED') ? rows : undefined;
      });
      expect(log.reduce((sum, d) => sum + d.attempts, 0)).toBe(5); // three failed attempts and two good ones
      for (const d of log) expect(d).toMatchObject({ lastError: null, deliveredAt: expect.any(String) });
      // Every POST carried one of the two events, each always under its own id and body.
      expect(new Set(receiver.received.map((r) => r.body.id))).toEqual(new Set(events.map((e) => e.id)));
      for (const r of receiver.received) {
        expect(verifyMeterlySignature(r.raw, String(r.headers['meterly-signature']), secret)).toBe(true);
        expect(r.raw).toBe(receiver.received.find((s) => s.body.id === r.body.id)!.raw);
      }
    } finally {
      await remove(hook.id);
      await receiver.close();
    }
  });

  it('disables an endpoint after repeated failed deliveries, in the audit trail; enabling it sends what waited, and a delivery can be sent again', async () => {
    let up = false;
    const receiver = await startReceiver(() => (up ? 200 : 500));
    const { endpoint: hook } = await endpoint(receiver.url, ['credits.granted']);
    try {
      const org = await organization();
      await grant(org, '1');
      await grant(org, '2');
      const disabled = await waitFor(async () => {
        const found = (await t.admin.data(WebhookEndpointsDocument)).webhookEndpoints.find((e) => e.id === hook.id);
        return found?.disabledAt ? found : undefined;
      });
      expect(disabled.consecutiveFailures).toBe(2);
      const failed = await deliveries(hook.id);
      expect(failed.map((d) => [d.status, d.attempts, d.lastError])).toEqual([
        ['FAILED', 4, 'webhook answered HTTP 500'],
        ['FAILED', 4, 'webhook answered HTTP 500'],
      ]);
      const entry = await waitFor(async () => {
        const [row] = await t.db.query(
          `SELECT api_key_id, operation, arguments FROM audit_log WHERE operation = 'webhookEndpointDisabled'`,
        );
        return row as unknown;
      });
      expect(entry).toEqual({
        api_key_id: 'system',
        operation: 'webhookEndpointDisabled',
        arguments: { id: hook.id, url: receiver.url, consecutiveFailures: 2 },
      });

      // While disabled, new events wait; enabling sends them.
      await grant(org, '3');
      const waiting = (await deliveries(hook.id))[0]!;
      expect(waiting).toMatchObject({ status: 'PENDING', attempts: 0 });
      up = true;
      const { enableWebhookEndpoint } = await t.admin.data(EnableWebhookEndpointDocument, { id: hook.id });
      expect(enableWebhookEndpoint).toMatchObject({ disabledAt: null, consecutiveFailures: 0 });
      await waitFor(async () => ((await deliveries(hook.id))[0]!.status === 'DELIVERED' ? true : undefined));

      // A failed one sent again: a new delivery of the same event.
      const { redeliverWebhook } = await t.admin.data(RedeliverWebhookDocument, { deliveryId: failed[1]!.id });
      expect(redeliverWebhook).toMatchObject({ eventId: failed[1]!.eventId, eventType: 'credits.granted', status: 'PENDING' });
      expect(redeliverWebhook.id).not.toBe(failed[1]!.id);
      await waitFor(async () =>
        (await deliveries(hook.id)).find((d) => d.id === redeliverWebhook.id)?.status === 'DELIVERED' ? true : undefined,
      );
      expect(receiver.received.filter((r) => r.body.id === failed[1]!.eventId).length).toBe(5);
    } finally {
      await remove(hook.id);
      await receiver.close();
    }
  });

  it('stops delivering to a deleted endpoint: pending deliveries are canceled and new events skip it', async () => {
    // The first attempt is held until the endpoint is deleted, then fails: its retry must not happen.
    let release: (status: number) => void = () => undefined;
    const held = new Promise<number>((resolve) => (release = resolve));
    const receiver = await startReceiver((n) => (n === 1 ? held : 500));
    const { endpoint: hook } = await endpoint(receiver.url, ['credits.granted']);
    try {
      const org = await organization();
      await grant(org);
      await waitFor(() => (receiver.received.length === 1 ? true : undefined));
      expect(await t.admin.data(DeleteWebhookEndpointDocument, { id: hook.id })).toEqual({ deleteWebhookEndpoint: true });
      release(500);
      await grant(org);
      // Once the worker has finished that attempt (stopping waits for it), nothing of it is left to retry.
      await t.server.services.webhookDelivery.stop();
      t.server.services.webhookDelivery.start();
      const log = await deliveries(hook.id);
      expect(log).toEqual([expect.objectContaining({ status: 'CANCELED', attempts: 1, nextAttemptAt: null })]);
      expect((await t.admin.data(WebhookEndpointsDocument)).webhookEndpoints.map((e) => e.id)).not.toContain(hook.id);
      // Gone for every operation but its log.
      for (const res of [
        await t.admin.request(DeleteWebhookEndpointDocument, { id: hook.id }),
        await t.admin.request(EnableWebhookEndpointDocument, { id: hook.id }),
        await t.admin.request(RedeliverWebhookDocument, { deliveryId: log[0]!.id }),
      ])
        expect(await refusal(res)).toMatchObject({ code: 'NOT_FOUND', reason: 'ENDPOINT_NOT_FOUND' });
    } finally {
      await receiver.close();
    }
  });

  it('refuses bad URLs, unknown event types and unknown ids with clear errors, storing nothing', async () => {
    const before = (await t.admin.data(WebhookEndpointsDocument)).webhookEndpoints.length;
    const create = async (url: string, events?: string[]) => refusal(await t.admin.request(CreateWebhookEndpointDocument, { url, events }));
    expect(await create('not a url')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_URL' });
    expect(await create('ftp://hooks.example.com/x')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_URL' });
    expect(await create('http://hooks.example.com/x')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'HTTPS_REQUIRED' });
    expect(await create('https://10.1.2.3/x')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INTERNAL_ADDRESS' });
    expect(await create('https://169.254.169.254/latest')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INTERNAL_ADDRESS' });
    expect(await create(`https://hooks.example.com/${'x'.repeat(3000)}`)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'URL_TOO_LONG' });
    const unknown = await t.admin.request(CreateWebhookEndpointDocument, {
      url: 'https://hooks.example.com/x',
      events: ['invoice.paid', 'invoice.created'],
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UNKNOWN_EVENT_TYPE',
      validTypes: [...PLATFORM_EVENT_TYPES],
    });
    expect(unknown.errors?.[0]?.message).toBe(`Unknown event type "invoice.created"; valid types: ${PLATFORM_EVENT_TYPES.join(', ')}`);
    expect(await create('https://hooks.example.com/x', [])).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NO_EVENT_TYPES' });
    expect((await t.admin.data(WebhookEndpointsDocument)).webhookEndpoints).toHaveLength(before);

    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await refusal(await t.admin.request(DeleteWebhookEndpointDocument, { id: missing }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'ENDPOINT_NOT_FOUND',
    });
    expect(await refusal(await t.admin.request(DeleteWebhookEndpointDocument, { id: 'nope' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_ID',
    });
    expect(await refusal(await t.admin.request(EnableWebhookEndpointDocument, { id: missing }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'ENDPOINT_NOT_FOUND',
    });
    expect(await refusal(await t.admin.request(WebhookDeliveriesDocument, { endpointId: missing }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'ENDPOINT_NOT_FOUND',
    });
    expect(await refusal(await t.admin.request(RedeliverWebhookDocument, { deliveryId: missing }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'DELIVERY_NOT_FOUND',
    });

    const { endpoint: hook } = await endpoint('https://hooks.example.com/paging', ['invoice.paid']);
    try {
      expect(await refusal(await t.admin.request(WebhookDeliveriesDocument, { endpointId: hook.id, first: 0 }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_PAGE_SIZE',
      });
      expect(await refusal(await t.admin.request(WebhookDeliveriesDocument, { endpointId: hook.id, first: 101 }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_PAGE_SIZE',
      });
      expect(await refusal(await t.admin.request(WebhookDeliveriesDocument, { endpointId: hook.id, after: 'bogus' }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_CURSOR',
      });
    } finally {
      await remove(hook.id);
    }
  });

  it('lets only platform admins manage endpoints or read deliveries: every tenant role is FORBIDDEN', async () => {
    const receiver = await startReceiver();
    const { endpoint: hook } = await endpoint(receiver.url, ['credits.granted']);
    try {
      const org = await organization();
      await grant(org);
      const [delivery] = await deliveries(hook.id);
      const { keys } = await createTenant(t.admin, 'hooks_basic');
      for (const key of [keys.tenantAdmin, keys.billingContact, keys.member]) {
        const client = t.client(key);
        const calls = [
          client.request(WebhookEndpointsDocument),
          client.request(WebhookDeliveriesDocument, { endpointId: hook.id }),
          client.request(CreateWebhookEndpointDocument, { url: 'https://hooks.example.com/mine' }),
          client.request(DeleteWebhookEndpointDocument, { id: hook.id }),
          client.request(EnableWebhookEndpointDocument, { id: hook.id }),
          client.request(RedeliverWebhookDocument, { deliveryId: delivery!.id }),
        ];
        for (const res of await Promise.all(calls)) expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      expect((await t.admin.data(WebhookEndpointsDocument)).webhookEndpoints.map((e) => e.id)).toContain(hook.id);
    } finally {
      await remove(hook.id);
      await receiver.close();
    }
  });

  it('is delivered once by two server nodes sharing the outbox', async () => {
    const second = await startTestServer({ webhookRetryBaseMs: 20, webhookAllowedHosts: ['127.0.0.1'] }, t);
    const receiver = await startReceiver();
    const { endpoint: hook } = await endpoint(receiver.url, ['credits.granted']);
    try {
      const org = await organization();
      for (let i = 1; i <= 10; i++)
        await (i % 2 ? t : second).admin.data(GrantCreditsDocument, { input: { organizationId: org, amount: String(i) } });
      await waitFor(async () => ((await deliveries(hook.id)).every((d) => d.status === 'DELIVERED') ? true : undefined));
      const ids = receiver.received.map((r) => r.body.id);
      expect(ids).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
    } finally {
      await remove(hook.id);
      await receiver.close();
      await second.close();
    }
  });

  it('shows in the README the very signature check the tests run', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '../../examples/verify-webhook-signature.ts'), 'utf8');
    // A plain boolean: a failure would otherwise print the whole README.
    expect(readme.includes('```ts\n' + example + '```')).toBe(true);
  });
});
