import {
  AdvanceTestClockDocument,
  CancelSubscriptionDocument,
  ChangePlanDocument,
  CloseBillingPeriodDocument,
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanWithTermsDocument,
  InvoicesWithKindDocument,
  type CreatePlanInput,
} from '../generated/graphql';
import { SubscriptionService } from '../../src/modules/subscription/subscription.service';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { record } from '../helpers/usage-fixtures';

/**
 * Base fees billed in advance, on test clocks in January 2026 (31 days) and February (28). The plans: Starter 49.00
 * and Professional 199.00 a month, in advance; Basic 29.00, in arrears. Calls: Starter 100 included then 0.01 each,
 * Professional 1,000 included then 0.005, Basic 0.01 each.
 */
describe('base fee in advance', () => {
  let t: TestServer;

  const plan = (input: Partial<CreatePlanInput> & Pick<CreatePlanInput, 'code' | 'name' | 'basePrice'>): CreatePlanInput => ({
    currency: 'USD',
    charges: [],
    ...input,
  });

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.data(CreateMetricDocument, { input: { code: 'adv_calls', unit: 'call', aggregation: 'SUM' } });
    const calls = (unitPrice: string, included?: string) => [{ metric: 'adv_calls', model: 'PER_UNIT' as const, unitPrice, included }];
    for (const input of [
      plan({ code: 'adv_starter', name: 'Starter', basePrice: '49', charges: calls('0.01', '100'), baseFeeTiming: 'IN_ADVANCE' }),
      plan({ code: 'adv_pro', name: 'Professional', basePrice: '199', charges: calls('0.005', '1000'), baseFeeTiming: 'IN_ADVANCE' }),
      plan({ code: 'arr_basic', name: 'Basic', basePrice: '29', charges: calls('0.01') }),
    ]) {
      await t.admin.data(CreatePlanWithTermsDocument, { input });
    }
  });
  afterAll(() => t.close());

  const startOn = async (planCode: string, clock: string) =>
    (await t.admin.data(CreateOrganizationDocument, { input: { name: `${planCode} at ${clock}`, planCode, testClock: clock } }))
      .createOrganization.id;
  const advance = (organizationId: string, to: string) => t.admin.data(AdvanceTestClockDocument, { organizationId, to });
  const calls = (organizationId: string, id: string, quantity: string, timestamp: string) =>
    record(t.admin, organizationId, [{ id, metric: 'adv_calls', quantity, timestamp }]);
  /** Every invoice, oldest first: kind, period, issue date, lines and total. */
  const invoicesOf = async (organizationId: string) => {
    const { invoices } = await t.admin.data(InvoicesWithKindDocument, { organizationId, first: 50 });
    return invoices.edges
      .map((e) => e.node)
      .sort((a, b) => a.number.localeCompare(b.number))
      .map((i) => ({
        kind: i.kind,
        number: i.number.slice(-4),
        period: i.periodStart.slice(0, 7),
        issuedAt: i.issuedAt,
        lines: i.lines.map((l) => [l.description, l.amount.amount]),
        total: i.total.amount,
      }));
  };

  it('started on the 1st: the whole month at once, then each close bills the ended month’s usage and the new month’s fee', async () => {
    const org = await startOn('adv_pro', '2026-01-01T00:00:00Z');
    const repeatStart = () => t.db.transaction((tx) => new SubscriptionService(t.db).invoiceOpeningFee(tx, org));
    await repeatStart();
    expect(await invoicesOf(org)).toEqual([
      {
        kind: 'OPENING',
        number: '0001',
        period: '2026-01',
        issuedAt: '2026-01-01T00:00:00.000Z',
        lines: [['Professional plan, 2026-01-01 to 2026-01-31', '199.00']],
        total: '199.00',
      },
    ]);
    await advance(org, '2026-01-20T00:00:00Z');
    await calls(org, 'c1', '1500', '2026-01-20T00:00:00Z');
    await advance(org, '2026-02-01T12:00:00Z');
    // 1,500 calls, 1,000 included: 500 × 0.005 = 2.50. No fee for January: it was paid on the 1st.
    const [, february] = await invoicesOf(org);
    expect(february).toEqual({
      kind: 'PERIOD',
      number: '0002',
      period: '2026-01',
      issuedAt: '2026-02-01T00:00:00.000Z',
      lines: [
        ['adv_calls (1000 call included)', '2.50'],
        ['Professional plan, 2026-02-01 to 2026-02-28', '199.00'],
      ],
      total: '201.50',
    });
    // A repeated close and a repeated subscription start issue nothing more.
    expect((await t.admin.data(CloseBillingPeriodDocument, { input: { organizationId: org } })).closeBillingPeriod.invoicesCreated).toBe(0);
    await repeatStart();
    expect(await invoicesOf(org)).toHaveLength(2);
  });

  it('started on the 16th of a 31-day month: 16/31 of the fee, rounded once', async () => {
    const org = await startOn('adv_pro', '2026-01-16T00:00:00Z');
    const { invoices } = await t.admin.data(InvoicesWithKindDocument, { organizationId: org });
    const [opening] = invoices.edges.map((e) => e.node);
    // 199 × 16/31 = 102.7096… → 102.71.
    expect(opening).toMatchObject({
      kind: 'OPENING',
      status: 'OPEN',
      dueDate: '2026-01-16T00:00:00.000Z',
      total: { amount: '102.71' },
      lines: [
        {
          description: 'Professional plan, 2026-01-16 to 2026-01-31',
          quantity: '0.516129',
          unitPrice: '199',
          amount: { amount: '102.71' },
        },
      ],
    });
    await advance(org, '2026-02-01T12:00:00Z');
    expect((await invoicesOf(org)).map((i) => [i.kind, i.lines, i.total])).toEqual([
      ['OPENING', [['Professional plan, 2026-01-16 to 2026-01-31', '102.71']], '102.71'],
      ['PERIOD', [['Professional plan, 2026-02-01 to 2026-02-28', '199.00']], '199.00'],
    ]);
  });

  it('an upgrade mid-period invoices the pro-rata difference at once; the close bills only the new plan', async () => {
    const org = await startOn('adv_starter', '2026-01-01T00:00:00Z');
    await advance(org, '2026-01-16T00:00:00Z');
    const { changePlan } = await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'adv_pro' } });
    expect(changePlan).toMatchObject({ plan: { code: 'adv_pro' }, pendingPlan: null });
    // 16 of January's 31 days left: −49 × 16/31 = −25.29; 199 × 16/31 = 102.71.
    expect((await invoicesOf(org)).at(-1)).toEqual({
      kind: 'PLAN_CHANGE',
      number: '0002',
      period: '2026-01',
      issuedAt: '2026-01-16T00:00:00.000Z',
      lines: [
        ['Unused Starter plan, 2026-01-16 to 2026-01-31', '-25.29'],
        ['Professional plan, 2026-01-16 to 2026-01-31', '102.71'],
      ],
      total: '77.42',
    });
    await calls(org, 'c1', '1200', '2026-01-16T00:00:00Z');
    await advance(org, '2026-02-01T12:00:00Z');
    // 1,200 calls under Professional, 1,000 included: 200 × 0.005 = 1.00.
    expect((await invoicesOf(org)).map((i) => [i.kind, i.lines, i.total])).toEqual([
      ['OPENING', [['Starter plan, 2026-01-01 to 2026-01-31', '49.00']], '49.00'],
      ['PLAN_CHANGE', expect.any(Array), '77.42'],
      [
        'PERIOD',
        [
          ['adv_calls (1000 call included)', '1.00'],
          ['Professional plan, 2026-02-01 to 2026-02-28', '199.00'],
        ],
        '200.00',
      ],
    ]);
  });

  it('a downgrade takes effect at period end: the new month at the cheaper fee, nothing refunded', async () => {
    const org = await startOn('adv_pro', '2026-01-01T00:00:00Z');
    await advance(org, '2026-01-16T00:00:00Z');
    const { changePlan } = await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'adv_starter' } });
    expect(changePlan).toMatchObject({ plan: { code: 'adv_pro' }, pendingPlan: { code: 'adv_starter' } });
    expect(await invoicesOf(org)).toHaveLength(1);
    await calls(org, 'c1', '50', '2026-01-16T00:00:00Z');
    const february = await advance(org, '2026-02-01T12:00:00Z');
    expect(february.advanceTestClock.subscription).toMatchObject({ plan: { code: 'adv_starter' }, pendingPlan: null });
    // 50 calls within Professional's 1,000: 0.00; then Starter's February, 49.00.
    expect((await invoicesOf(org)).map((i) => [i.kind, i.lines, i.total])).toEqual([
      ['OPENING', [['Professional plan, 2026-01-01 to 2026-01-31', '199.00']], '199.00'],
      [
        'PERIOD',
        [
          ['adv_calls (1000 call included)', '0.00'],
          ['Starter plan, 2026-02-01 to 2026-02-28', '49.00'],
        ],
        '49.00',
      ],
    ]);
  });

  it('a cancellation takes effect at period end: the last close bills the usage and no new month', async () => {
    const org = await startOn('adv_pro', '2026-01-01T00:00:00Z');
    await advance(org, '2026-01-16T00:00:00Z');
    await calls(org, 'c1', '1500', '2026-01-16T00:00:00Z');
    await t.admin.data(CancelSubscriptionDocument, { organizationId: org });
    const march = await advance(org, '2026-03-02T00:00:00Z');
    expect(march.advanceTestClock.subscription?.status).toBe('canceled');
    expect((await invoicesOf(org)).map((i) => [i.kind, i.period, i.lines, i.total])).toEqual([
      ['OPENING', '2026-01', [['Professional plan, 2026-01-01 to 2026-01-31', '199.00']], '199.00'],
      ['PERIOD', '2026-01', [['adv_calls (1000 call included)', '2.50']], '2.50'],
    ]);
  });

  it('an upgrade from an arrears plan waits for the close, as today; the close then bills the new month in advance', async () => {
    const org = await startOn('arr_basic', '2026-01-01T00:00:00Z');
    expect(await invoicesOf(org)).toEqual([]);
    await advance(org, '2026-01-16T00:00:00Z');
    await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'adv_pro' } });
    expect(await invoicesOf(org)).toEqual([]);
    await advance(org, '2026-02-01T12:00:00Z');
    // Basic's January in arrears, its unused half credited (−29 × 16/31 = −14.97), Professional's rest of January
    // (199 × 16/31 = 102.71), then Professional's February in advance.
    expect((await invoicesOf(org)).map((i) => [i.kind, i.lines, i.total])).toEqual([
      [
        'PERIOD',
        [
          ['Basic plan', '29.00'],
          ['Unused Basic plan, 2026-01-16 to 2026-01-31', '-14.97'],
          ['Professional plan, 2026-01-16 to 2026-01-31', '102.71'],
          ['Professional plan, 2026-02-01 to 2026-02-28', '199.00'],
        ],
        '315.74',
      ],
    ]);
  });
});
