import { Dec } from '../../src/common/money/decimal';
import {
  AdvanceTestClockDocument,
  AuditLogDocument,
  ChangePlanDocument,
  CreateAlertRuleDocument,
  EstimateCostDocument,
  ForecastDocument,
  GrantCreditsDocument,
  InvoicesDocument,
  PlanRecommendationsDocument,
  UsageEventsDocument,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, loadSeedCatalog, organizationOn, planWithOrganization, record, usage } from '../helpers/usage-fixtures';

describe('forecasts, recommendations, the estimator and the audit trail', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await loadSeedCatalog(t.admin);
  });
  afterAll(() => t.close());

  /** Counts the queries on an organisation's rollups from now until the count is read. */
  const rollupReads = (org: string) => {
    const query = jest.spyOn(t.db, 'query');
    return () => {
      const count = query.mock.calls.filter(
        ([sql, params]) => sql.includes('usage_rollups') && Array.isArray(params) && params[0] === org,
      ).length;
      query.mockRestore();
      return count;
    };
  };
  /**
   * An analytics-platform organisation on 20 March with 32 days of four metrics: two additive, storage (a daily-peak
   * average), distinct users. Its first billing period is March: February's 13 days are refused (PERIOD_CLOSED), so
   * 1–19 March count. Storage reads 20 + (i % 9) GB at noon, 24 GB on 1 March: each day's peak counts the level carried
   * in, so 6 and 15 March (28 → 20) count 28. Days 1–5: 24+25+26+27+28 = 130, 6th 28, 7th–14th 21…28 = 196, 15th 28,
   * 16th–19th 21…24 = 90, 20th–31st 24 held = 288: 760 / 31 = 24.516129 GB, 14.516129 over 10 × $0.10 = $1.45.
   */
  const analyticsHistory = async () => {
    const org = await organizationOn(t.admin, 'analytics_starter', '2026-03-20T12:00:00Z');
    const events = Array.from({ length: 32 }, (_, i) => {
      const day = new Date(Date.UTC(2026, 1, 16 + i, 12));
      const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
      const timestamp = day.toISOString();
      return [
        { id: `t${i}`, metric: 'llm_tokens', quantity: String((weekend ? 40_000 : 90_000) + 1_000 * i), timestamp },
        { id: `q${i}`, metric: 'sql_queries', quantity: String((weekend ? 100 : 400) + 7 * i), timestamp },
        { id: `s${i}`, metric: 'storage_gb', quantity: String(20 + (i % 9)), timestamp },
        { id: `u${i}`, metric: 'active_users', user: `user-${i % 6}`, timestamp },
      ];
    });
    await record(t.admin, org, events.flat());
    return org;
  };

  describe('forecast', () => {
    it('says when there is too little history, and falls back to the run rate', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg');
      await record(t.admin, org, [{ id: 'a', metric: 'compute_hours', quantity: '5', timestamp: '2026-03-09T10:00:00Z' }]);
      const { forecast } = await t.admin.data(ForecastDocument, { organizationId: org });
      expect(forecast).toMatchObject({
        sufficientHistory: false,
        method: 'run-rate',
        forecastMethod: 'RUN_RATE',
        historyDays: 1,
        periodEnd: '2026-04-01T00:00:00.000Z',
      });
    });

    it('projects a month with trend and weekly pattern, with ordered intervals', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg', '2026-03-29T12:00:00Z');
      // 34 days of history: weekdays busier than weekends, growing slowly; one spike.
      const events = Array.from({ length: 34 }, (_, i) => {
        const day = new Date(Date.UTC(2026, 1, 23 + i, 12));
        const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
        const hours = (weekend ? 20 : 60) + i + (i === 20 ? 400 : 0);
        return { id: `d${i}`, metric: 'compute_hours', quantity: String(hours), timestamp: day.toISOString() };
      });
      await record(t.admin, org, events);
      const { forecast } = await t.admin.data(ForecastDocument, { organizationId: org, metric: 'compute_hours' });
      expect(forecast).toMatchObject({
        sufficientHistory: true,
        method: 'trend+weekly',
        forecastMethod: 'TREND_WEEKLY',
        metric: 'compute_hours',
      });
      const amounts = [forecast.low95, forecast.low80, forecast.nextPeriodCost, forecast.high80, forecast.high95].map((m) =>
        Number(m.amount),
      );
      expect([...amounts].sort((a, b) => a - b)).toEqual(amounts);
      expect(forecast.growthRate).toBeGreaterThan(0);
      expect(forecast.anomalies.map((a) => a.at)).toContain('2026-03-15T00:00:00.000Z');
      // Projected usage is beyond what has been used so far this month.
      expect(Number(forecast.projectedUsage)).toBeGreaterThan(28 * 20);
    });

    it('holds a level metric (a peak) where it stands rather than extrapolating its daily rises', async () => {
      const org = await planWithOrganization(
        t.admin,
        [{ code: 'peak_gb', unit: 'GB', aggregation: 'MAX' }],
        {
          code: 'peak_plan',
          name: 'Peak',
          currency: 'USD',
          basePrice: '0',
          charges: [{ metric: 'peak_gb', model: 'PER_UNIT', unitPrice: '1' }],
        },
        '2026-03-20T12:00:00Z',
      );
      // A peak that rose by 10 GB a day for 19 days: 190 GB, $190 so far; a trend would project far more.
      await record(
        t.admin,
        org,
        Array.from({ length: 19 }, (_, i) => ({
          id: `p${i}`,
          metric: 'peak_gb',
          quantity: String(10 * (i + 1)),
          timestamp: new Date(Date.UTC(2026, 2, 1 + i, 12)).toISOString(),
        })),
      );
      const { forecast } = await t.admin.data(ForecastDocument, { organizationId: org, metric: 'peak_gb' });
      expect(forecast).toMatchObject({ projectedUsage: '190', projectedCost: { amount: '190.00' } });
      const { forecast: all } = await t.admin.data(ForecastDocument, { organizationId: org });
      expect(all.projectedCost.amount).toBe('190.00');
    });

    it('never projects less than the period has already cost, on its first day too', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg', '2026-03-09T18:00:00Z');
      // 2 started hours at $0.10, recorded today: there is no complete day to forecast from.
      await record(t.admin, org, [{ id: 'today', metric: 'compute_hours', quantity: '2', timestamp: '2026-03-09T10:00:00Z' }]);
      const { forecast: all } = await t.admin.data(ForecastDocument, { organizationId: org });
      expect(all.projectedCost.amount).toBe('0.20');
      const { forecast: hours } = await t.admin.data(ForecastDocument, { organizationId: org, metric: 'compute_hours' });
      expect(hours).toMatchObject({ projectedCost: { amount: '0.20' }, projectedUsage: '2' });
    });

    it("reads the month's exact cost so far with the daily history, in one query", async () => {
      const org = await analyticsHistory();
      // All metrics: storage counted once, as it stands ($1.45, see analyticsHistory), not extrapolated, and left out of
      // the daily series; the others' exact cost of 1–19 March, $47.56 (tokens 1,378,000 over × $0.00002 = $27.56,
      // queries 9,026 within 10,000, the sixth user on 6 March $20), plus the regression of their daily cost over
      // 20–31 March, $98.48: 147.49. That is above the per-metric projections' 106.61 (tokens 84.57, queries 0,
      // storage 1.45, users 20.59) because the only Fridays in history are 6 March, with the sixth user's one-off $20,
      // and 13 March, which the robust fit trims: 20 and 27 March are projected at about $25 and $27.
      // Billed as MAX, storage was 137.53 = 49.36 so far (storage's peak $1.80 in it) + 88.17: its rises (1.40 on
      // 1 March, 0.10 on 2–5 March, then nothing) were extrapolated with the rest, a falling series that pulled
      // the projection down.
      for (const [metric, projectedCost] of [
        [null, '147.49'],
        ['llm_tokens', '84.57'],
      ] as const) {
        const reads = rollupReads(org);
        const { forecast } = await t.admin.data(ForecastDocument, { organizationId: org, metric });
        expect(reads()).toBe(1);
        expect(forecast.projectedCost.amount).toBe(projectedCost);
      }
    });
  });

  describe('recommendations', () => {
    it('suggests the smaller FlowStack plan to a customer using under 50 % of Professional', async () => {
      const org = await organizationOn(t.admin, 'flowstack_professional', '2026-02-20T12:00:00Z');
      const sessions = Array.from({ length: 300 }, (_, i) => ({
        id: `s${i}`,
        metric: 'sessions',
        timestamp: '2026-02-20T12:00:00Z',
        dimensions: { conversation: `c${i}` },
      }));
      await record(t.admin, org, sessions);
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-03-05T00:00:00Z' });
      const { planRecommendations: r } = await t.admin.data(PlanRecommendationsDocument, { organizationId: org });
      expect(r).toMatchObject({
        basis: 'last period',
        currentPlan: { code: 'flowstack_professional' },
        cheapestPlan: { code: 'flowstack_starter' },
        saving: { amount: '70.00' },
      });
      expect(r.advice[0]).toMatch(
        /^You use less than 50% of FlowStack Professional's limits \(at most 3% of sessions\)\. Consider downgrading: FlowStack Starter/,
      );
      // The free tier's 25 sessions would refuse most of them: it is not offered as cheaper.
      expect(r.options.find((o) => o.plan.code === 'flowstack_free')).toMatchObject({ fits: false });
    });

    it('advises a customer blocked at a hard limit the cheapest plan that unblocks it', async () => {
      const org = await organizationOn(t.admin, 'flowstack_free', '2026-03-10T12:00:00Z');
      const sessions = Array.from({ length: 26 }, (_, i) => ({
        id: `b${i}`,
        metric: 'sessions',
        timestamp: '2026-03-10T11:00:00Z',
        dimensions: { conversation: `c${i}` },
      }));
      const recorded = await record(t.admin, org, sessions);
      expect(recorded.rejected.map((r) => r.reason)).toEqual(['HARD_LIMIT']);
      const { planRecommendations: r } = await t.admin.data(PlanRecommendationsDocument, { organizationId: org });
      expect(r).toMatchObject({ currentPlan: { code: 'flowstack_free' }, cheapestPlan: { code: 'flowstack_starter' } });
      expect(r.options.find((o) => o.plan.code === 'flowstack_free')).toMatchObject({ fits: false });
      expect(r.advice.join(' ')).not.toMatch(/already the cheapest/);
      expect(r.advice).toContain('FlowStack Starter is the cheapest plan that takes all of it: 29.00 USD.');
    });

    it('suggests an upgrade when overage costs more than the next tier', async () => {
      const org = await organizationOn(t.admin, 'analytics_starter', '2026-02-20T12:00:00Z');
      const when = '2026-02-20T12:00:00Z';
      await record(t.admin, org, [
        { id: 't', metric: 'llm_tokens', quantity: '5000000', timestamp: when },
        { id: 'q', metric: 'sql_queries', quantity: '100000', timestamp: when },
        { id: 's', metric: 'storage_gb', quantity: '100', timestamp: when },
        ...Array.from({ length: 25 }, (_, i) => ({ id: `u${i}`, metric: 'active_users', user: `user-${i}`, timestamp: when })),
      ]);
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-03-02T00:00:00Z' });
      const { planRecommendations: r } = await t.admin.data(PlanRecommendationsDocument, { organizationId: org });
      // Starter: $99 + 4.5M tokens × $0.00002 ($90) + 90,000 queries × $0.005 ($450) + storage: 0 GB on 1–19 February,
      // 100 GB held on 20–28, 9 × 100 / 28 = 32.142857 GB, 22.142857 over 10 × $0.10 ($2.21) + 20 users × $20 ($400).
      expect(r.options.find((o) => o.plan.code === 'analytics_starter')?.cost.amount).toBe('1041.21');
      expect(r.options.find((o) => o.plan.code === 'analytics_professional')?.cost.amount).toBe('499.00');
      expect(r).toMatchObject({ cheapestPlan: { code: 'analytics_professional' }, saving: { amount: '542.21' } });
      expect(r.advice).toContain('Your overage costs more than Professional: upgrading would cost 499.00 USD instead of 1041.21 USD.');
    });

    it('projects every metric of a multi-metric organisation as its own forecast does, from one history query', async () => {
      const org = await analyticsHistory();
      const reads = rollupReads(org);
      const { planRecommendations: r } = await t.admin.data(PlanRecommendationsDocument, { organizationId: org });
      // The usage of the last and of this period, and the daily history of all metrics: not one forecast per metric.
      expect(reads()).toBe(3);
      // As priced when each metric had its own forecast. February is refused, so the basis is March so far:
      // $99 + tokens $27.56 + queries 0 + storage $1.45 (see analyticsHistory) + the sixth user $20 = 148.01.
      // The forecast: tokens 3,210,480.224413 projected, 2,710,480.224413 over × $0.00002 = $54.21; queries 15,849.015531,
      // 5,849.015531 over × $0.005 = $29.25; storage held at $1.45; 6 users $20: $99 + 104.91 = 203.91.
      expect(
        r.options.filter((o) => o.plan.code.startsWith('analytics_')).map((o) => [o.plan.code, o.cost.amount, o.forecastCost.amount]),
      ).toEqual([
        ['analytics_starter', '148.01', '203.91'],
        ['analytics_professional', '499.00', '499.00'],
        // Enterprise's tokens, queries and users are unlimited (seed 003), never billed per unit: only its fee.
        ['analytics_enterprise', '2500.00', '2500.00'],
      ]);
      // Additive metrics go to the larger of their usage so far and their own forecast; storage's daily-peak average stays as it is.
      const planned = await Promise.all(
        (await usage(t.admin, org)).metrics.map(async (m) => {
          if (m.metric === 'storage_gb') return { metric: m.metric, quantity: m.used };
          const { forecast } = await t.admin.data(ForecastDocument, { organizationId: org, metric: m.metric });
          return { metric: m.metric, quantity: Dec.max(m.used, forecast.projectedUsage!).toFixed() };
        }),
      );
      for (const option of r.options) {
        const { estimateCost } = await t.admin.data(EstimateCostDocument, { planCode: option.plan.code, usage: planned });
        expect(option.forecastCost.amount).toBe(estimateCost.total.amount);
      }
    });

    it('names cheaper models for rate-card usage', async () => {
      const org = await organizationOn(t.admin, 'auterity_professional');
      await record(t.admin, org, [{ id: 'g', metric: 'ai_tokens', quantity: '1000000', timestamp: at(0), dimensions: { model: 'gpt-4' } }]);
      const { planRecommendations: r } = await t.admin.data(PlanRecommendationsDocument, { organizationId: org });
      // GPT-4 at $0.03 per 1K vs Claude 3 Haiku at $0.00025: 1M tokens save $29.75.
      expect(r.alternatives[0]).toMatchObject({
        metric: 'ai_tokens',
        dimension: 'model',
        from: 'gpt-4',
        to: 'claude-3-haiku',
        saving: { amount: '29.75' },
      });
      expect(r.alternatives[0]!.savingShare).toBeCloseTo(0.9917, 4);
    });
  });

  describe('estimator (connectors)', () => {
    it("prices the connectors cost calculator's example and matches a period actually billed with the same usage", async () => {
      const usage = [
        { metric: 'connector_calls', quantity: '2000', dimensions: { connector: 'notion' } },
        { metric: 'connector_data_mb', quantity: '100' },
      ];
      const { estimateCost } = await t
        .client(await createApiKey(t.admin, await organizationOn(t.admin, 'connectors_free'), 'MEMBER'))
        .data(EstimateCostDocument, {
          planCode: 'connectors_usage',
          usage,
        });
      expect(estimateCost.total).toEqual({ amount: '4.00', currency: 'USD' });
      expect(estimateCost.lines.map((l) => [l.description, l.amount.amount])).toEqual([
        ['Connector calls (connector notion)', '2.00'],
        ['Connector data processed', '2.00'],
      ]);
      const org = await organizationOn(t.admin, 'connectors_usage');
      await record(t.admin, org, [
        { id: 'c', metric: 'connector_calls', quantity: '2000', dimensions: { connector: 'notion' }, timestamp: at(0) },
        { id: 'd', metric: 'connector_data_mb', quantity: '100', timestamp: at(0) },
      ]);
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T12:00:00Z' });
      const [invoice] = (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges.map((e) => e.node);
      expect(invoice!.total.amount).toBe(estimateCost.total.amount);

      const pro = (
        await t.admin.data(EstimateCostDocument, {
          planCode: 'connectors_pro',
          usage: [
            { metric: 'connector_calls', quantity: '1600' },
            { metric: 'connector_data_mb', quantity: '180' },
          ],
        })
      ).estimateCost;
      expect(pro.total.amount).toBe('33.00');
      const free = (
        await t.admin.data(EstimateCostDocument, { planCode: 'connectors_free', usage: [{ metric: 'connector_calls', quantity: '150' }] })
      ).estimateCost;
      expect(free.warnings).toEqual([
        'connector_calls: 150 call is past the hard limit of 100; usage past it would be refused, not billed',
      ]);
      for (const bad of [
        { planCode: 'nope', usage },
        { planCode: 'connectors_pro', usage: [{ metric: 'nope', quantity: '1' }] },
        { planCode: 'connectors_pro', usage: [{ metric: 'connector_calls', quantity: '-1' }] },
      ]) {
        expect(await t.admin.errorCode(EstimateCostDocument, bad)).toBe('BAD_USER_INPUT');
      }
    });
  });

  describe('estimator (analytics)', () => {
    it('prices monthly totals of distinct-count metrics, which need no user key', async () => {
      const { estimateCost } = await t.admin.data(EstimateCostDocument, {
        planCode: 'analytics_starter',
        usage: [{ metric: 'active_users', quantity: '7' }],
      });
      // 5 users included, 2 more at 20 USD, on the 99 USD base fee.
      expect(estimateCost.lines.find((l) => l.metric === 'active_users')?.amount.amount).toBe('40.00');
      expect(estimateCost.total).toEqual({ amount: '139.00', currency: 'USD' });
    });
  });

  describe('audit trail', () => {
    it('records plan changes, rule changes and credits with who made them; a tenant reads only its own', async () => {
      const org = await organizationOn(t.admin, 'flowstack_starter');
      const other = await organizationOn(t.admin, 'flowstack_starter');
      const tenantAdmin = t.client(await createApiKey(t.admin, org, 'TENANT_ADMIN'));
      await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'flowstack_professional' } });
      await tenantAdmin.data(CreateAlertRuleDocument, { input: { organizationId: org, thresholdAmount: '50', severity: 'WARNING' } });
      await t.admin.data(GrantCreditsDocument, { input: { organizationId: org, amount: '10', reason: 'goodwill' } });
      await t.admin.data(GrantCreditsDocument, { input: { organizationId: other, amount: '99' } });
      const { auditLog } = await tenantAdmin.data(AuditLogDocument, { organizationId: org });
      expect(auditLog.edges.map((e) => [e.node.operation, e.node.role])).toEqual([
        ['grantCredits', 'PLATFORM_ADMIN'],
        ['createAlertRule', 'TENANT_ADMIN'],
        ['changePlan', 'PLATFORM_ADMIN'],
        ['createApiKey', 'PLATFORM_ADMIN'],
        ['createOrganization', 'PLATFORM_ADMIN'],
      ]);
      expect(auditLog.edges[0]!.node).toMatchObject({
        arguments: { input: { organizationId: org, amount: '10', reason: 'goodwill' } },
        result: { amount: '10.00', currency: 'USD' },
      });
      // The secret of a created key never reaches the log.
      expect(JSON.stringify(auditLog)).not.toMatch(/mtr_/);
      expect(await tenantAdmin.errorCode(AuditLogDocument, { organizationId: other })).toBe('FORBIDDEN');
      await expect(t.db.query(`UPDATE audit_log SET operation = 'x'`)).rejects.toThrow(/append-only/);
      await expect(t.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    });

    it('keeps each event with the cost it was given', async () => {
      const org = await organizationOn(t.admin, 'hourly_payg');
      await record(t.admin, org, [
        { id: 'e1', metric: 'compute_hours', quantity: '0.5', team: 'ml', timestamp: at(0) },
        { id: 'e2', metric: 'compute_hours', quantity: '2.2', timestamp: at(5) },
      ]);
      const { usageEvents } = await t.admin.data(UsageEventsDocument, { organizationId: org, first: 1 });
      expect(usageEvents.edges.map((e) => e.node)).toEqual([
        expect.objectContaining({ id: 'e2', quantity: '3', rawQuantity: '2.2', cost: '0.3' }),
      ]);
      const next = await t.admin.data(UsageEventsDocument, { organizationId: org, after: usageEvents.pageInfo.endCursor });
      expect(next.usageEvents.edges.map((e) => [e.node.id, e.node.cost, e.node.team])).toEqual([['e1', '0.1', 'ml']]);
    });
  });
});
