import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdvanceTestClockDocument,
  CreatePlanDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  InvoicesDocument,
  InvoicesTimelineDocument,
  InvoiceTimelineDocument,
  MarkInvoicePaidDocument,
} from '../generated/graphql';
import { createTenant } from '../helpers/factories';
import { deliverStripeEvent, startFakeStripe, type FakeStripe } from '../helpers/fake-stripe';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait-for';

const STRIPE_SECRET = 'whsec_meterly_timeline_test';

/** A platform receiver answering every POST with `status`. */
async function startReceiver(status: number) {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/timeline`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('Invoice.timeline', () => {
  let stripe: FakeStripe;
  let t: TestServer;
  let ok: Awaited<ReturnType<typeof startReceiver>>;
  let broken: Awaited<ReturnType<typeof startReceiver>>;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let other: Awaited<ReturnType<typeof createTenant>>;
  let march: string;
  let april: string;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    t = await startTestServer({ webhookRetryBaseMs: 10, webhookMaxAttempts: 2, webhookAllowedHosts: ['127.0.0.1'] }, undefined, {
      client: stripe.client(),
      webhookSecret: STRIPE_SECRET,
    });
    [ok, broken] = await Promise.all([startReceiver(204), startReceiver(500)]);
    const endpoints = [];
    for (const receiver of [ok, broken])
      endpoints.push((await t.admin.data(CreateWebhookEndpointDocument, { url: receiver.url })).createWebhookEndpoint.endpoint.id);
    await t.admin.data(CreatePlanDocument, {
      input: { code: 'timeline', name: 'Timeline', currency: 'USD', basePrice: '20', charges: [] },
    });
    tenant = await createTenant(t.admin, 'timeline', undefined, '2026-03-10T12:00:00Z');
    other = await createTenant(t.admin, 'timeline', undefined, '2026-03-10T12:00:00Z');
    const org = tenant.organization.id;

    // March closes (issued), Stripe reports a declined attempt (payment failed), then it is paid by hand.
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T12:00:00Z' });
    march = (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges[0]!.node.id;
    const answer = await deliverStripeEvent(t.server.url, STRIPE_SECRET, {
      id: 'evt_timeline_failed',
      type: 'payment_intent.payment_failed',
      data: {
        object: {
          id: 'pi_timeline',
          object: 'payment_intent',
          metadata: { invoiceId: march },
          last_payment_error: { message: 'Declined' },
        },
      },
    });
    expect(answer.status).toBe(200);
    await t.admin.data(MarkInvoicePaidDocument, { id: march });
    // April is issued and left open.
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-05-01T12:00:00Z' });
    april = (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges.find((e) => e.node.id !== march)!.node.id;

    // Every delivery settled (delivered, or failed every attempt) before the probes, then the endpoints go.
    await waitFor(async () => {
      const { invoice } = await t.admin.data(InvoiceTimelineDocument, { id: march });
      const deliveries = invoice!.timeline.flatMap((e) => e.deliveries ?? []);
      return deliveries.length === 6 && deliveries.every((d) => d.status !== 'PENDING') ? true : undefined;
    });
    for (const id of endpoints) await t.admin.data(DeleteWebhookEndpointDocument, { id });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([stripe.close(), ok.close(), broken.close()]);
  });

  it('tells an invoice issue, payment failure and payment in order, with each event’s deliveries for the platform admin', async () => {
    const { invoice } = await t.admin.data(InvoiceTimelineDocument, { id: march });
    expect(invoice!.status).toBe('PAID');
    const timeline = invoice!.timeline;
    expect(timeline.map((e) => [e.type, e.invoiceStatus, e.paymentError])).toEqual([
      ['invoice.issued', 'OPEN', null],
      ['invoice.payment_failed', 'OPEN', 'Declined'],
      ['invoice.paid', 'PAID', null],
    ]);
    const times = timeline.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const event of timeline) {
      expect(event.deliveries).toEqual([
        {
          id: expect.any(String),
          endpointId: expect.any(String),
          endpointUrl: ok.url,
          status: 'DELIVERED',
          attempts: 1,
          lastError: null,
          deliveredAt: expect.any(String),
        },
        {
          id: expect.any(String),
          endpointId: expect.any(String),
          endpointUrl: broken.url,
          status: 'FAILED',
          attempts: 2,
          lastError: expect.stringContaining('500'),
          deliveredAt: null,
        },
      ]);
    }
  });

  it('reads a page of invoices’ timelines at once, each its own', async () => {
    const { invoices } = await t.admin.data(InvoicesTimelineDocument, { organizationId: tenant.organization.id, first: 10 });
    expect(invoices.edges.map((e) => [e.node.id, e.node.timeline.map((x) => x.type)])).toEqual([
      [april, ['invoice.issued']],
      [march, ['invoice.issued', 'invoice.payment_failed', 'invoice.paid']],
    ]);
    // One query for the page's events, not one per invoice.
    const query = jest.spyOn(t.db, 'query');
    try {
      await t.admin.data(InvoicesTimelineDocument, { organizationId: tenant.organization.id, first: 10 });
      expect(query.mock.calls.filter(([sql]) => String(sql).includes('JOIN webhook_events'))).toHaveLength(1);
    } finally {
      query.mockRestore();
    }
  });

  it('shows the tenant its events without the platform’s deliveries', async () => {
    const admin = (await t.admin.data(InvoiceTimelineDocument, { id: march })).invoice!.timeline;
    for (const key of [tenant.keys.tenantAdmin, tenant.keys.billingContact]) {
      const { invoice } = await t.client(key).data(InvoiceTimelineDocument, { id: march });
      expect(invoice!.timeline).toEqual(admin.map((e) => ({ ...e, deliveries: null })));
    }
  });

  it("refuses another tenant's key", async () => {
    const stranger = t.client(other.keys.tenantAdmin);
    const res = await stranger.request(InvoiceTimelineDocument, { id: march });
    expect(res.data?.invoice ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await stranger.errorCode(InvoicesTimelineDocument, { organizationId: tenant.organization.id, first: 10 })).toBe('FORBIDDEN');
    // Its own invoices' timelines hold none of the first tenant's events.
    await t.admin.data(AdvanceTestClockDocument, { organizationId: other.organization.id, to: '2026-04-01T12:00:00Z' });
    const { invoices } = await stranger.data(InvoicesTimelineDocument, { organizationId: other.organization.id, first: 10 });
    expect(invoices.edges.map((e) => e.node.timeline.map((x) => x.type))).toEqual([['invoice.issued']]);
  });
});
