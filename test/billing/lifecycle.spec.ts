import {
  AdvanceTestClockDocument,
  CancelSubscriptionDocument,
  ChangePlanDocument,
  CloseAccountDocument,
  CloseBillingPeriodDocument,
  CreateOrganizationDocument,
  CreditBalanceDocument,
  GrantCreditsDocument,
  InvoiceDocument,
  InvoicesDocument,
  MarkInvoicePaidDocument,
  OrganizationDocument,
  RecordUsageDocument,
  VoidInvoiceDocument,
} from '../generated/graphql';
import pino from 'pino';
import { BillingCloseService } from '../../src/modules/billing/billing-close.service';
import { RatingCatalog } from '../../src/modules/rating/rating-catalog';
import { createApiKey } from '../helpers/factories';
import { extractPdfText } from '../helpers/pdf-text';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, loadSeedCatalog, organizationOn, planWithOrganization, record } from '../helpers/usage-fixtures';

describe('billing lifecycle', () => {
  let t: TestServer;
  const invoicesOf = async (org: string) => (await t.admin.data(InvoicesDocument, { organizationId: org, first: 50 })).invoices;
  const advance = (org: string, to: string) => t.admin.data(AdvanceTestClockDocument, { organizationId: org, to });
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params))[0].n);

  beforeAll(async () => {
    t = await startTestServer();
    await loadSeedCatalog(t.admin);
  });
  afterAll(() => t.close());

  describe('plan changes', () => {
    it('an upgrade applies at once and credits the unused part of the old base fee pro rata', async () => {
      const org = await organizationOn(t.admin, 'flowstack_starter');
      await advance(org, '2026-03-16T00:00:00Z');
      const { changePlan } = await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'flowstack_professional' } });
      expect(changePlan).toMatchObject({ plan: { code: 'flowstack_professional' }, pendingPlan: null });
      // The new quota applies at once: 1,001 conversations are accepted now.
      const messages = Array.from({ length: 1001 }, (_, i) => ({
        id: `m${i}`,
        metric: 'sessions',
        timestamp: '2026-03-16T00:00:00Z',
        dimensions: { conversation: `c${i}` },
      }));
      expect((await record(t.admin, org, messages)).accepted).toBe(1001);
      await advance(org, '2026-04-01T12:00:00Z');
      const [invoice] = (await invoicesOf(org)).edges.map((e) => e.node);
      // 16 of March's 31 days were left: −29 × 16/31 = −14.97; 99 × 16/31 = 51.10.
      expect(invoice!.lines.map((l) => [l.description, l.amount.amount])).toEqual([
        ['FlowStack Starter plan', '29.00'],
        ['Unused FlowStack Starter plan, 2026-03-16 to 2026-03-31', '-14.97'],
        ['FlowStack Professional plan, 2026-03-16 to 2026-03-31', '51.10'],
        ['Agent sessions (10000 session included)', '0.00'],
      ]);
      expect(invoice!.total.amount).toBe('65.13');
      // April is a full Professional month.
      await advance(org, '2026-05-01T12:00:00Z');
      expect((await invoicesOf(org)).edges[0]!.node.lines[0]).toMatchObject({
        description: 'FlowStack Professional plan',
        amount: { amount: '99.00' },
      });
      const changes = await t.db.query('SELECT kind, requested_by FROM plan_changes WHERE organization_id = $1 ORDER BY created_at', [org]);
      expect(changes).toEqual([{ kind: 'upgraded', requested_by: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    });

    it('a downgrade takes effect at the next period; included quantities do not roll over', async () => {
      const org = await organizationOn(t.admin, 'flowstack_professional');
      await advance(org, '2026-03-16T00:00:00Z');
      const { changePlan } = await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'flowstack_starter' } });
      expect(changePlan).toMatchObject({ plan: { code: 'flowstack_professional' }, pendingPlan: { code: 'flowstack_starter' } });
      const march = await advance(org, '2026-04-01T12:00:00Z');
      expect(march.advanceTestClock.subscription).toMatchObject({
        plan: { code: 'flowstack_starter' },
        pendingPlan: null,
        currentPeriodStart: '2026-04-01T00:00:00.000Z',
      });
      await advance(org, '2026-05-01T12:00:00Z');
      const totals = (await invoicesOf(org)).edges.map((e) => [e.node.periodStart.slice(0, 7), e.node.total.amount]);
      expect(totals).toEqual([
        ['2026-04', '29.00'],
        ['2026-03', '99.00'],
      ]);
    });

    it('a cancellation takes effect at period end: the period is billed, then nothing more', async () => {
      const org = await organizationOn(t.admin, 'flowstack_starter');
      expect((await t.admin.data(CancelSubscriptionDocument, { organizationId: org })).cancelSubscription).toMatchObject({
        cancelAtPeriodEnd: true,
        status: 'active',
      });
      await advance(org, '2026-06-01T12:00:00Z');
      expect((await invoicesOf(org)).edges.map((e) => e.node.periodStart.slice(0, 7))).toEqual(['2026-03']);
      const { organization } = await t.admin.data(OrganizationDocument, { id: org });
      expect(organization?.subscription?.status).toBe('canceled');
      const res = await t.admin.request(RecordUsageDocument, {
        input: { organizationId: org, events: [{ id: 'late', metric: 'sessions', dimensions: { conversation: 'x' } }] },
      });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('closing an account stops new usage and charges; what is owed stays due', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg');
      await record(t.admin, org, [{ id: 'h', metric: 'compute_hours', quantity: '10', timestamp: at(0) }]);
      await t.admin.data(CloseAccountDocument, { organizationId: org });
      const refused = await t.admin.request(RecordUsageDocument, {
        input: { organizationId: org, events: [{ id: 'h2', metric: 'compute_hours' }] },
      });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      await advance(org, '2026-07-01T12:00:00Z');
      const invoices = (await invoicesOf(org)).edges.map((e) => e.node);
      expect(invoices.map((i) => [i.periodStart.slice(0, 7), i.status, i.amountDue.amount])).toEqual([['2026-03', 'OVERDUE', '1.00']]);
    });

    it('refuses an unknown plan, the current plan and another currency, changing nothing', async () => {
      const org = await organizationOn(t.admin, 'flowstack_starter');
      for (const planCode of ['no_such_plan', 'flowstack_starter']) {
        expect(await t.admin.errorCode(ChangePlanDocument, { input: { organizationId: org, planCode } })).toBe('BAD_USER_INPUT');
      }
      expect(await count('SELECT count(*) AS n FROM plan_changes WHERE organization_id = $1', [org])).toBe(0);
      expect(await count('SELECT count(*) AS n FROM invoice_items WHERE organization_id = $1', [org])).toBe(0);
    });
  });

  describe('period close', () => {
    it('closes every ended month of a test clock that jumped, numbering invoices without gaps', async () => {
      const org = await organizationOn(t.admin, 'connectors_pro');
      await advance(org, '2026-06-15T00:00:00Z');
      const list = await invoicesOf(org);
      expect(list.edges.map((e) => [e.node.number.slice(-4), e.node.periodStart.slice(0, 7)])).toEqual([
        ['0003', '2026-05'],
        ['0002', '2026-04'],
        ['0001', '2026-03'],
      ]);
    });

    it('makes one invoice per organisation and period, however often and concurrently it runs', async () => {
      const orgs = await Promise.all([1, 2, 3, 4].map(() => organizationOn(t.admin, 'connectors_pro', '2026-03-20T00:00:00Z')));
      await t.db.query(`UPDATE organizations SET test_clock_at = '2026-04-01T01:00:00Z' WHERE id = ANY($1::uuid[])`, [orgs]);
      const runs = await Promise.all([1, 2, 3].map(() => t.admin.data(CloseBillingPeriodDocument, { input: {} })));
      const created = runs.flatMap((r) => r.closeBillingPeriod.invoices).filter((i) => i.periodStart === '2026-03-01T00:00:00.000Z');
      expect(new Set(created.map((i) => i.id)).size).toBe(created.length);
      for (const org of orgs) {
        expect(await count(`SELECT count(*) AS n FROM invoices WHERE organization_id = $1 AND period_start = '2026-03-01'`, [org])).toBe(1);
      }
      expect((await t.admin.data(CloseBillingPeriodDocument, { input: {} })).closeBillingPeriod.invoicesCreated).toBe(0);
    });

    it('closes in waves and write batches: each invoice once with its lines and number, one already there skipped with no lines', async () => {
      const orgs = await Promise.all([1, 2, 3, 4, 5].map(() => organizationOn(t.admin, 'connectors_pro', '2031-01-10T00:00:00Z')));
      await t.db.query(`UPDATE organizations SET test_clock_at = '2031-02-01T01:00:00Z' WHERE id = ANY($1::uuid[])`, [orgs]);
      const [existing] = await t.db.query(
        `INSERT INTO invoices (organization_id, status, period_start, period_end, currency) VALUES ($1, 'DRAFT', '2031-01-01', '2031-02-01', 'USD') RETURNING id`,
        [orgs[2]],
      );
      const progress: number[] = [];
      // Waves of 2 organisations, each written one invoice per statement.
      const closer = new BillingCloseService(t.db, new RatingCatalog(t.db), pino({ level: 'silent' }), 2, 1);
      const created = await closer.closeDue({ periodEnd: new Date('2031-02-01T00:00:00Z') }, 'test', (p) => progress.push(p.closed));
      expect(progress).toHaveLength(3); // 5 organisations, 2 a wave
      expect(progress.at(-1)).toBe(4);
      expect(created).toHaveLength(4);
      const rows: Array<{ organization_id: string; id: string; number: string | null; lines: string }> = await t.db.query(
        `SELECT i.organization_id, i.id, i.number, (SELECT count(*) FROM invoice_lines l WHERE l.invoice_id = i.id) AS lines
           FROM invoices i WHERE i.organization_id = ANY($1::uuid[]) ORDER BY i.organization_id`,
        [orgs],
      );
      expect(rows).toHaveLength(5);
      for (const row of rows) {
        if (row.id === existing.id) expect(row).toMatchObject({ number: null, lines: '0' });
        else {
          expect(created).toContain(row.id);
          expect(row.number).toMatch(/-0001$/);
          expect(Number(row.lines)).toBeGreaterThan(0);
        }
      }
      expect(
        await count('SELECT count(*) AS n FROM invoice_lines l WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.id = l.invoice_id)'),
      ).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM invoice_counters WHERE organization_id = ANY($1::uuid[])`, [orgs])).toBe(4);
      expect(
        await count(
          `SELECT count(*) AS n FROM plan_subscriptions WHERE organization_id = ANY($1::uuid[]) AND current_period_start = '2031-02-01'`,
          [orgs],
        ),
      ).toBe(5);
    });

    it('is due 30 days after close on a net-30 plan (analytics Enterprise)', async () => {
      const org = await organizationOn(t.admin, 'analytics_enterprise');
      await advance(org, '2026-04-20T00:00:00Z');
      const [invoice] = (await invoicesOf(org)).edges.map((e) => e.node);
      expect(invoice).toMatchObject({ status: 'OPEN', dueDate: '2026-05-01T00:00:00.000Z' });
    });

    it('runs on its own: the scheduler closes periods that ended', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg', '2026-03-31T23:59:00Z');
      await t.db.query(`UPDATE organizations SET test_clock_at = '2026-04-01T00:01:00Z' WHERE id = $1`, [org]);
      const node = await startTestServer({ billingIntervalSeconds: 1 }, t);
      try {
        const deadline = Date.now() + 10_000;
        while ((await invoicesOf(org)).totalCount === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect((await invoicesOf(org)).totalCount).toBe(1);
      } finally {
        await node.close();
      }
    });

    it('bills a JPY plan in whole yen', async () => {
      const org = await planWithOrganization(t.admin, [{ code: 'yen_calls', unit: 'call', aggregation: 'SUM' }], {
        code: 'yen_plan',
        name: 'Yen',
        currency: 'JPY',
        basePrice: '1500',
        charges: [{ metric: 'yen_calls', model: 'PER_UNIT', unitPrice: '0.35' }],
      });
      await record(t.admin, org, [{ id: 'y', metric: 'yen_calls', quantity: '5', timestamp: at(0) }]);
      await advance(org, '2026-04-01T12:00:00Z');
      const [invoice] = (await invoicesOf(org)).edges.map((e) => e.node);
      expect(invoice!.lines.map((l) => l.amount)).toEqual([
        { amount: '1500', currency: 'JPY' },
        { amount: '2', currency: 'JPY' },
      ]);
      expect(invoice!.total).toEqual({ amount: '1502' });
    });

    it('refuses usage for a period already invoiced', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg', '2026-03-31T23:00:00Z');
      await advance(org, '2026-04-01T00:30:00Z');
      const res = await record(t.admin, org, [{ id: 'late', metric: 'compute_hours', timestamp: '2026-03-31T23:30:00Z' }]);
      expect(res.rejected).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'PERIOD_CLOSED' })]);
      expect(res.rejected[0]!.message).toBe('The period of 2026-03 is closed and invoiced');
    });

    it('says a period before the organisation existed is not one it was invoiced for', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg', '2026-04-02T12:00:00Z');
      const res = await record(t.admin, org, [{ id: 'before', metric: 'compute_hours', timestamp: '2026-03-20T10:00:00Z' }]);
      expect(res.rejected).toEqual([
        expect.objectContaining({
          reason: 'PERIOD_CLOSED',
          message: "The period of 2026-03 is before the organization's first billing period",
        }),
      ]);
    });

    it('refuses bad input: a test clock going back or on a real-time organisation, a periodEnd that is not a month start', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg');
      expect(await t.admin.errorCode(AdvanceTestClockDocument, { organizationId: org, to: '2026-03-01T00:00:00Z' })).toBe('BAD_USER_INPUT');
      const { createOrganization } = await t.admin.data(CreateOrganizationDocument, { input: { name: 'real', planCode: 'hourly_payg' } });
      expect(await t.admin.errorCode(AdvanceTestClockDocument, { organizationId: createOrganization.id, to: '2030-01-01T00:00:00Z' })).toBe(
        'BAD_USER_INPUT',
      );
      expect(await t.admin.errorCode(CloseBillingPeriodDocument, { input: { periodEnd: '2026-03-15T00:00:00Z' } })).toBe('BAD_USER_INPUT');
      expect(
        await t.admin.errorCode(CloseBillingPeriodDocument, { input: { organizationId: org, periodEnd: '2027-01-01T00:00:00Z' } }),
      ).toBe('BAD_USER_INPUT');
    });
  });

  describe('invoices', () => {
    let org: string;
    beforeAll(async () => {
      org = await organizationOn(t.admin, 'connectors_pro');
      await t.admin.data(GrantCreditsDocument, { input: { organizationId: org, amount: '5', expiresAt: '2026-12-31T00:00:00Z' } });
      await advance(org, '2026-06-01T12:00:00Z');
    });

    it('pages newest first with cursors and filters by status', async () => {
      const first = (await t.admin.data(InvoicesDocument, { organizationId: org, first: 2 })).invoices;
      expect(first.totalCount).toBe(3);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const rest = (await t.admin.data(InvoicesDocument, { organizationId: org, first: 2, after: first.pageInfo.endCursor })).invoices;
      expect(rest.pageInfo.hasNextPage).toBe(false);
      expect([...first.edges, ...rest.edges].map((e) => e.node.periodStart.slice(0, 7))).toEqual(['2026-05', '2026-04', '2026-03']);
      // The $5 credit covered part of March; March and April are past due, May is due today.
      const overdue = (await t.admin.data(InvoicesDocument, { organizationId: org, status: 'OVERDUE' })).invoices;
      expect(overdue.edges.map((e) => [e.node.periodStart.slice(0, 7), e.node.creditsApplied.amount, e.node.amountDue.amount])).toEqual([
        ['2026-04', '0.00', '19.00'],
        ['2026-03', '5.00', '14.00'],
      ]);
      expect(await t.admin.errorCode(InvoicesDocument, { organizationId: org, after: 'not-a-cursor' })).toBe('BAD_USER_INPUT');
      expect(await t.admin.errorCode(InvoicesDocument, { organizationId: org, first: 1000 })).toBe('BAD_USER_INPUT');
    });

    it('is paid by hand without Stripe, and a paid invoice cannot be paid again', async () => {
      const [may] = (await t.admin.data(InvoicesDocument, { organizationId: org, status: 'OPEN' })).invoices.edges;
      const { markInvoicePaid } = await t.admin.data(MarkInvoicePaidDocument, { id: may!.node.id });
      expect(markInvoicePaid).toMatchObject({ status: 'PAID', amountDue: { amount: '0.00' } });
      expect(await t.admin.errorCode(MarkInvoicePaidDocument, { id: may!.node.id })).toBe('BAD_USER_INPUT');
    });

    it('gives the credits of a voided invoice back', async () => {
      const march = (await invoicesOf(org)).edges.at(-1)!.node;
      const balance = async () => (await t.admin.data(CreditBalanceDocument, { id: org })).organization?.creditBalance.amount;
      expect(await balance()).toBe('0.00');
      expect((await t.admin.data(VoidInvoiceDocument, { id: march.id })).voidInvoice.status).toBe('VOID');
      expect(await balance()).toBe('5.00');
    });

    it('serves its PDF, with its number and total, only to callers who may see it', async () => {
      const invoice = (await invoicesOf(org)).edges[1]!.node;
      const get = (key?: string) => fetch(invoice.pdfUrl!, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      const res = await get(t.adminKey);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      const { text } = extractPdfText(Buffer.from(await res.arrayBuffer()));
      expect(text).toContain(`Invoice ${invoice.number}`);
      expect(text).toContain('USD 19.00');
      const billing = await createApiKey(t.admin, org, 'BILLING_CONTACT');
      expect((await get(billing)).status).toBe(200);
      const other = await organizationOn(t.admin, 'connectors_pro');
      expect((await get(await createApiKey(t.admin, other, 'TENANT_ADMIN'))).status).toBe(404);
      expect((await get(await createApiKey(t.admin, org, 'MEMBER'))).status).toBe(403);
      expect((await get()).status).toBe(401);
      expect(await t.client(billing).errorCode(InvoiceDocument, { id: '00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    });
  });

  describe('credits', () => {
    it("grants a balance in the currency's minor units and refuses bad amounts, writing nothing", async () => {
      const org = await organizationOn(t.admin, 'hourly_payg');
      expect((await t.admin.data(GrantCreditsDocument, { input: { organizationId: org, amount: '12.5' } })).grantCredits).toEqual({
        amount: '12.50',
        currency: 'USD',
      });
      for (const input of [
        { organizationId: org, amount: '-1' },
        { organizationId: org, amount: '0.001' },
        { organizationId: org, amount: 'ten' },
        { organizationId: org, amount: '5', expiresAt: '2026-01-01T00:00:00Z' },
      ]) {
        expect(await t.admin.errorCode(GrantCreditsDocument, { input })).toBe('BAD_USER_INPUT');
      }
      expect(await count('SELECT count(*) AS n FROM credit_grants WHERE organization_id = $1', [org])).toBe(1);
    });
  });
});
