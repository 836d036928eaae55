import {
  AdvanceTestClockDocument,
  CreateMetricDocument,
  EntitlementCheckDocument,
  EstimateCostDocument,
  ForecastDocument,
  InvoicesDocument,
  UsageDocument,
  UsageSeriesDocument,
  UsageUpdatedDocument,
} from '../generated/graphql';
import { createApiKey, createTenant } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { metricUsage, planWithOrganization, record } from '../helpers/usage-fixtures';
import { openWsClient, wsSubscribe } from '../helpers/ws-client';

/**
 * Storage billed as the peak of each day averaged over the month (seed 003's "Data Storage: GB, peak daily,
 * monthly"), on a test clock through March 2026 (31 days) to its invoice. 10 GB included, 0.25 per GB above.
 */
const PLAN = {
  code: 'dpa_plan',
  name: 'Storage plan',
  currency: 'USD',
  basePrice: '0',
  charges: [{ metric: 'dpa_storage', model: 'PER_UNIT' as const, unitPrice: '0.25', included: '10', limit: '1000' }],
};

describe('DAILY_PEAK_AVERAGE (storage as the peak of each day averaged over the month)', () => {
  let t: TestServer;
  let org: string;
  const advance = (to: string) => t.admin.data(AdvanceTestClockDocument, { organizationId: org, to });
  const reading = (id: string, quantity: string, timestamp: string) => ({ id, metric: 'dpa_storage', quantity, timestamp });

  beforeAll(async () => {
    t = await startTestServer();
    org = await planWithOrganization(
      t.admin,
      [{ code: 'dpa_storage', name: 'Data storage', unit: 'GB', aggregation: 'DAILY_PEAK_AVERAGE' }],
      PLAN,
      '2026-03-01T06:00:00Z',
    );
  });
  afterAll(() => t.close());

  it('bills the month from readings over several days: reports, live usage, entitlement, forecast and the invoice agree', async () => {
    // Mar 1: 40 GB, held to the month's end while nothing else is read: 40 GB, (40 − 10) × 0.25 = 7.50.
    expect(await record(t.admin, org, [reading('r1', '40', '2026-03-01T06:00:00Z')])).toMatchObject({ accepted: 1, rejected: [] });
    expect(await metricUsage(t.admin, org, 'dpa_storage')).toMatchObject({ used: '40', cost: { amount: '7.50' } });

    // Mar 5: 55 at 08:00, 52 at 10:00 (the 5th peaks at 55, the days after hold 52).
    await advance('2026-03-05T10:00:00Z');
    await record(t.admin, org, [reading('r2', '55', '2026-03-05T08:00:00Z'), reading('r3', '52', '2026-03-05T10:00:00Z')]);

    // Mar 12: 70, and a reading of the 9th that arrives late (60).
    await advance('2026-03-12T12:00:00Z');
    await record(t.admin, org, [reading('r4', '70', '2026-03-12T12:00:00Z'), reading('r5', '60', '2026-03-09T12:00:00Z')]);
    // Days: 1st–4th 40 (160), 5th 55, 6th–8th 52 (156), 9th–11th 60 (180), 12th–31st 70 so far (20 × 70 = 1400):
    // 1951 / 31 = 62.93548387096774193548 GB so far, the month's bill if nothing changes: (62.935… − 10) × 0.25 = 13.2339 → 13.23.
    const soFar = '62.93548387096774193548';
    expect(await metricUsage(t.admin, org, 'dpa_storage')).toMatchObject({ used: soFar, limit: '1000', cost: { amount: '13.23' } });
    const { entitlement } = await t.admin.data(EntitlementCheckDocument, { organizationId: org, feature: 'dpa_storage' });
    expect(entitlement).toMatchObject({ hasAccess: true, used: soFar, limit: '1000', remaining: '937.06451612903225806452' });
    // The forecast keeps the level as it stands rather than extrapolating the readings' changes day by day.
    const { forecast } = await t.admin.data(ForecastDocument, { organizationId: org, metric: 'dpa_storage' });
    expect(forecast).toMatchObject({
      projectedUsage: '62.935484',
      projectedCost: { amount: '13.23' },
      nextPeriodCost: { amount: '13.23' },
    });
    const total = (await t.admin.data(ForecastDocument, { organizationId: org })).forecast;
    expect(total.projectedCost.amount).toBe('13.23');

    // Mar 20: cleaned up to 30 GB, announced live to a dashboard. The 20th still peaks at 70; the 21st–31st hold 30.
    await advance('2026-03-20T09:00:00Z');
    const memberKey = await createApiKey(t.admin, org, 'MEMBER');
    const ws = openWsClient(t.server.wsUrl, memberKey);
    try {
      const sub = wsSubscribe(ws, UsageUpdatedDocument, { organizationId: org });
      const usedOf = (r: Awaited<ReturnType<typeof sub.next>>) =>
        r.data?.usageUpdated.metrics.find((m) => m.metric === 'dpa_storage')?.used;
      expect(usedOf(await sub.next())).toBe(soFar);
      await record(t.admin, org, [reading('r6', '30', '2026-03-20T09:00:00Z')]);
      // 160 + 55 + 156 + 180 + 8 × 70 (12th–19th) + 70 (20th) + 11 × 30 = 1511; 1511 / 31 to 20 decimals.
      expect(usedOf(await sub.next())).toBe('48.74193548387096774194');
    } finally {
      await ws.dispose();
    }

    // The daily series shows each day's highest reading.
    const { usageSeries } = await t.admin.data(UsageSeriesDocument, { organizationId: org, metric: 'dpa_storage', granularity: 'DAY' });
    expect(usageSeries.points.map((p) => [p.at.slice(0, 10), p.quantity])).toEqual([
      ['2026-03-01', '40'],
      ['2026-03-05', '55'],
      ['2026-03-09', '60'],
      ['2026-03-12', '70'],
      ['2026-03-20', '30'],
    ]);

    // April 1st closes March: (48.74193548387096774194 − 10) × 0.25 = 9.685483870967741935485 → 9.69.
    await advance('2026-04-01T12:00:00Z');
    const [invoice] = (await t.admin.data(InvoicesDocument, { organizationId: org, first: 5 })).invoices.edges.map((e) => e.node);
    expect(invoice!.lines.find((l) => l.metric === 'dpa_storage')).toEqual({
      description: 'Data storage (10 GB included)',
      metric: 'dpa_storage',
      quantity: '48.74193548387096774194',
      unitPrice: '0.25',
      amount: { amount: '9.69', currency: 'USD' },
    });
    expect(invoice!.total.amount).toBe('9.69');

    // Another tenant's key sees none of it.
    const stranger = await createTenant(t.admin, 'dpa_plan');
    const res = await t.admin.withKey(stranger.keys.tenantAdmin).request(UsageDocument, { organizationId: org });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('estimates a planned month as the level held: the highest planned entry', async () => {
    const { estimateCost } = await t.admin.data(EstimateCostDocument, {
      planCode: 'dpa_plan',
      usage: [
        { metric: 'dpa_storage', quantity: '50' },
        { metric: 'dpa_storage', quantity: '30' },
      ],
    });
    // (50 − 10) × 0.25 = 10.00
    expect(estimateCost.lines.find((l) => l.metric === 'dpa_storage')).toMatchObject({ quantity: '50', amount: { amount: '10.00' } });
  });

  it('refuses a definition that does not fit a level, and a reading that is no quantity', async () => {
    const bad = [
      { code: 'dpa_bad_unique', unit: 'GB', aggregation: 'DAILY_PEAK_AVERAGE' as const, uniqueBy: 'user', reason: 'INVALID_UNIQUE_BY' },
      {
        code: 'dpa_bad_session',
        unit: 'GB',
        aggregation: 'DAILY_PEAK_AVERAGE' as const,
        sessionIdleMinutes: 30,
        sessionKey: 'user',
        reason: 'INVALID_SESSION',
      },
    ];
    for (const { reason, ...input } of bad) {
      const res = await t.admin.request(CreateMetricDocument, { input });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    }
    const rounded = await t.admin.data(CreateMetricDocument, {
      input: { code: 'dpa_rounded', unit: 'GB', aggregation: 'DAILY_PEAK_AVERAGE', eventRounding: '1' },
    });
    expect(rounded.createMetric).toMatchObject({ aggregation: 'DAILY_PEAK_AVERAGE', eventRounding: '1' });
    const recorded = await record(t.admin, org, [reading('bad1', '-5', '2026-04-01T12:00:00Z')]);
    expect(recorded.rejected).toEqual([expect.objectContaining({ index: 0, code: 'BAD_USER_INPUT', reason: 'INVALID_QUANTITY' })]);
  });
});
