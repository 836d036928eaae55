import {
  AlertRulesDocument,
  AlertsDocument,
  AuditLogDocument,
  CreateMetricDocument,
  CreatePlanDocument,
  EntitlementCheckDocument,
  RecordUsageRetryDocument,
  SetSpendControlsDocument,
  SpendControlsDocument,
  type CreatePlanInput,
  type SpendControlsInput,
  type UsageEventInput,
} from '../generated/graphql';
import { createTenant } from '../helpers/factories';
import type { GraphQLClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { CLOCK, metricUsage, organizationOn } from '../helpers/usage-fixtures';

const charge = { metric: 'sc_calls', model: 'PER_UNIT' as const, unitPrice: '1.00' };
const plan = (code: string, extra: Partial<CreatePlanInput> = {}): CreatePlanInput => ({
  code,
  name: code,
  currency: 'USD',
  basePrice: '0',
  charges: [charge],
  ...extra,
});
const HOUR = 3600;
/** From the test clock (12:00 UTC on March 10th) to the end of its hour, its day and its month. */
const TO_HOUR_END = HOUR;
const TO_DAY_END = 12 * HOUR;
const TO_PERIOD_END = (21 * 24 + 12) * HOUR;
const calls = (prefix: string, quantities: string[], timestamp = CLOCK): UsageEventInput[] =>
  quantities.map((quantity, i) => ({ id: `${prefix}-${i}`, metric: 'sc_calls', quantity, timestamp }));

describe('spend controls', () => {
  let t: TestServer;
  const controls = (organizationId: string, client: GraphQLClient = t.admin) =>
    client.data(SpendControlsDocument, { organizationId }).then((r) => r.spendControls);
  const set = (input: SpendControlsInput, client: GraphQLClient = t.admin) =>
    client.data(SetSpendControlsDocument, { input }).then((r) => r.setSpendControls);
  const record = (organizationId: string, events: UsageEventInput[]) =>
    t.admin.data(RecordUsageRetryDocument, { input: { organizationId, events } }).then((r) => r.recordUsage);
  const spent = async (organizationId: string) => (await metricUsage(t.admin, organizationId, 'sc_calls')).cost.amount;

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.data(CreateMetricDocument, { input: { code: 'sc_calls', unit: 'call', aggregation: 'SUM' } });
    await t.admin.data(CreatePlanDocument, { input: plan('sc_budget', { monthlyBudget: '10.00', autoPauseAtBudget: true }) });
    await t.admin.data(CreatePlanDocument, { input: plan('sc_open') });
    await t.admin.data(CreatePlanDocument, { input: plan('sc_rates', { requestsPerMinute: 10, requestsPerHour: 3 }) });
  });
  afterAll(() => t.close());

  describe('who may read and set them', () => {
    it('answers the plan’s budget, the default thresholds and no limits before any are set, to every role of the organisation', async () => {
      const { organization, keys } = await createTenant(t.admin, 'sc_budget');
      const expected = {
        monthlyBudget: { amount: '10.00', currency: 'USD' },
        autoPause: true,
        alertThresholds: [50, 80, 95],
        perEventLimit: null,
        perHourLimit: null,
        perDayLimit: null,
        spentThisPeriod: { amount: '0.00', currency: 'USD' },
        remainingBudget: { amount: '10.00' },
      };
      for (const key of [t.adminKey, keys.tenantAdmin, keys.billingContact, keys.member]) {
        expect(await controls(organization.id, t.client(key))).toEqual(expected);
      }
    });

    it('lets a platform admin, the tenant admin and the billing contact set them, each change in the audit log', async () => {
      const { organization, keys } = await createTenant(t.admin, 'sc_budget');
      const org = organization.id;
      expect(await set({ organizationId: org, perEventLimit: '2' })).toMatchObject({ perEventLimit: { amount: '2.00' } });
      expect(await set({ organizationId: org, perHourLimit: '5.5' }, t.client(keys.tenantAdmin))).toMatchObject({
        perEventLimit: { amount: '2.00' },
        perHourLimit: { amount: '5.50' },
      });
      expect(await set({ organizationId: org, monthlyBudget: '7' }, t.client(keys.billingContact))).toMatchObject({
        monthlyBudget: { amount: '7.00' },
        remainingBudget: { amount: '7.00' },
        perHourLimit: { amount: '5.50' },
      });
      const { auditLog } = await t.admin.data(AuditLogDocument, { organizationId: org, first: 10, operation: 'setSpendControls' });
      expect(auditLog.edges.map((e) => [e.node.role, e.node.arguments])).toEqual([
        ['BILLING_CONTACT', { input: { organizationId: org, monthlyBudget: '7' } }],
        ['TENANT_ADMIN', { input: { organizationId: org, perHourLimit: '5.5' } }],
        ['PLATFORM_ADMIN', { input: { organizationId: org, perEventLimit: '2' } }],
      ]);
    });

    it('refuses a member (FORBIDDEN) and another tenant (FORBIDDEN, reading or setting), and an unknown organisation (NOT_FOUND)', async () => {
      const { organization, keys } = await createTenant(t.admin, 'sc_budget');
      const other = await createTenant(t.admin, 'sc_budget');
      const org = organization.id;
      const member = await t.client(keys.member).request(SetSpendControlsDocument, { input: { organizationId: org, perEventLimit: '1' } });
      expect(member.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      for (const key of [other.keys.tenantAdmin, other.keys.billingContact]) {
        expect(await t.client(key).errorCode(SetSpendControlsDocument, { input: { organizationId: org, perEventLimit: '1' } })).toBe(
          'FORBIDDEN',
        );
      }
      expect(await t.client(other.keys.member).errorCode(SpendControlsDocument, { organizationId: org })).toBe('FORBIDDEN');
      const missing = '00000000-0000-4000-8000-000000000000';
      const unknown = await t.admin.request(SetSpendControlsDocument, { input: { organizationId: missing, perEventLimit: '1' } });
      expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ORGANIZATION_NOT_FOUND' });
      expect((await t.admin.request(SpendControlsDocument, { organizationId: missing })).errors?.[0]?.extensions).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await controls(org)).toMatchObject({ perEventLimit: null });
    });
  });

  describe('what they accept', () => {
    it.each<[string, Partial<SpendControlsInput>, string]>([
      ['a budget of 0', { monthlyBudget: '0' }, 'INVALID_AMOUNT'],
      ['a negative limit', { perDayLimit: '-5' }, 'INVALID_AMOUNT'],
      ['a limit finer than a cent', { perHourLimit: '1.001' }, 'INVALID_AMOUNT'],
      ['an amount past its bounds', { perEventLimit: '1e16' }, 'OUT_OF_RANGE'],
      ['an amount that is no number', { monthlyBudget: 'ten' }, 'INVALID_ARGUMENT'],
      ['a threshold of 0 %', { alertThresholds: [0, 50] }, 'INVALID_THRESHOLDS'],
      ['a threshold past 1000 %', { alertThresholds: [1001] }, 'INVALID_THRESHOLDS'],
      ['a threshold twice', { alertThresholds: [50, 50] }, 'INVALID_THRESHOLDS'],
      ['eleven thresholds', { alertThresholds: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110] }, 'INVALID_THRESHOLDS'],
      ['auto-pause with no budget anywhere', { autoPause: true }, 'NO_BUDGET'],
    ])('refuses %s (BAD_USER_INPUT) and changes nothing', async (_label, input, reason) => {
      const org = await organizationOn(t.admin, 'sc_open');
      const before = await controls(org);
      const res = await t.admin.request(SetSpendControlsDocument, { input: { organizationId: org, perEventLimit: '3', ...input } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
      expect(await controls(org)).toEqual(before);
    });

    it('refuses a malformed organisation id (BAD_USER_INPUT)', async () => {
      const res = await t.admin.request(SetSpendControlsDocument, { input: { organizationId: 'nope', perEventLimit: '1' } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ID' });
    });

    it('keeps what a change leaves out, and takes null back to the default (the plan’s budget)', async () => {
      const org = await organizationOn(t.admin, 'sc_budget');
      await set({ organizationId: org, monthlyBudget: '4', autoPause: false, perDayLimit: '3' });
      expect(await set({ organizationId: org, perEventLimit: '1' })).toMatchObject({
        monthlyBudget: { amount: '4.00' },
        autoPause: false,
        perDayLimit: { amount: '3.00' },
        perEventLimit: { amount: '1.00' },
      });
      expect(await set({ organizationId: org, monthlyBudget: null, autoPause: null, perDayLimit: null })).toMatchObject({
        monthlyBudget: { amount: '10.00' },
        autoPause: true,
        perDayLimit: null,
        perEventLimit: { amount: '1.00' },
      });
    });
  });

  describe('alert thresholds', () => {
    const costAlerts = async (org: string) =>
      (await t.admin.data(AlertsDocument, { organizationId: org, first: 50 })).alerts.edges
        .map((e) => e.node)
        .filter((a) => a.kind === 'cost')
        .map((a) => a.threshold)
        .sort();

    it('replace the budget alert rules, keeping those that stay so that no alert is raised twice', async () => {
      const org = await organizationOn(t.admin, 'sc_open');
      await set({ organizationId: org, monthlyBudget: '10' });
      await record(org, calls('a', ['8.5']));
      expect(await costAlerts(org)).toEqual(['5', '8']);
      // Usage rules (80, 95, 100 % of a limit) list first, then the budget's cost rules.
      const rules = async () => (await t.admin.data(AlertRulesDocument, { organizationId: org })).alertRules;
      const before = await rules();
      expect(before.map((r) => r.thresholdPercent)).toEqual(['80', '95', '100', '50', '80', '95']);

      expect((await set({ organizationId: org, alertThresholds: [90, 80] })).alertThresholds).toEqual([80, 90]);
      const after = await rules();
      expect(after.map((r) => [r.thresholdPercent, r.severity, r.isDefault])).toEqual([
        ['80', 'WARNING', true],
        ['95', 'CRITICAL', true],
        ['100', 'CRITICAL', true],
        ['80', 'WARNING', true],
        ['90', 'WARNING', true],
      ]);
      expect(after.slice(0, 4).map((r) => r.id)).toEqual([...before.slice(0, 3), before[4]!].map((r) => r.id));

      await record(org, calls('b', ['0.1']));
      expect(await costAlerts(org)).toEqual(['5', '8']);
      await record(org, calls('c', ['0.5']));
      expect(await costAlerts(org)).toEqual(['5', '8', '9']);
      expect((await set({ organizationId: org, alertThresholds: [] })).alertThresholds).toEqual([]);
      expect((await set({ organizationId: org, alertThresholds: null })).alertThresholds).toEqual([50, 80, 95]);
    });
  });

  describe('blocking limits', () => {
    it('refuse an event that alone costs more than the per-event limit (PER_EVENT_LIMIT, no retry)', async () => {
      const org = await organizationOn(t.admin, 'sc_open');
      await set({ organizationId: org, perEventLimit: '2.50' });
      const res = await record(org, calls('e', ['2.5', '2.51', '1']));
      expect(res.accepted).toBe(2);
      expect(res.rejected).toEqual([
        expect.objectContaining({ index: 1, code: 'QUOTA_EXCEEDED', reason: 'PER_EVENT_LIMIT', retryAfterSeconds: null }),
      ]);
      expect(await spent(org)).toBe('3.50');
    });

    it('refuse the event that would take the hour past its limit, to be retried when the hour ends (SPEND_LIMIT)', async () => {
      const org = await organizationOn(t.admin, 'sc_open');
      await set({ organizationId: org, perHourLimit: '5' });
      const earlier = new Date(Date.parse(CLOCK) - HOUR * 1000).toISOString();
      const res = await record(org, [...calls('h', ['3', '2.01', '2', '0.5']), ...calls('past', ['4'], earlier)]);
      expect(res.rejected).toEqual([
        expect.objectContaining({ index: 1, code: 'QUOTA_EXCEEDED', reason: 'SPEND_LIMIT', retryAfterSeconds: TO_HOUR_END }),
        expect.objectContaining({ index: 3, reason: 'SPEND_LIMIT', retryAfterSeconds: TO_HOUR_END }),
      ]);
      // The previous hour has its own limit; an hour that is over cannot be waited for.
      const late = await record(org, calls('past2', ['1.5'], earlier));
      expect(late.rejected).toEqual([expect.objectContaining({ reason: 'SPEND_LIMIT', retryAfterSeconds: null })]);
      expect(await spent(org)).toBe('9.00');
    });

    it('refuse the event that would take the day past its limit, to be retried when the day ends (SPEND_LIMIT)', async () => {
      const org = await organizationOn(t.admin, 'sc_open');
      await set({ organizationId: org, perDayLimit: '6' });
      const morning = new Date(Date.parse(CLOCK) - 5 * HOUR * 1000).toISOString();
      await record(org, calls('m', ['4'], morning));
      const res = await record(org, calls('d', ['1.5', '1', '0.5']));
      expect(res.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'SPEND_LIMIT', retryAfterSeconds: TO_DAY_END })]);
      expect(await spent(org)).toBe('6.00');
    });

    it('refuse the event that would pass an auto-paused budget, then everything until the period ends (BUDGET_EXHAUSTED)', async () => {
      const org = await organizationOn(t.admin, 'sc_budget');
      await set({ organizationId: org, monthlyBudget: '5' });
      const res = await record(org, calls('b', ['2', '2', '2', '1', '0']));
      expect(res.accepted).toBe(3);
      expect(res.rejected).toEqual([
        expect.objectContaining({ index: 2, code: 'QUOTA_EXCEEDED', reason: 'BUDGET_EXHAUSTED', retryAfterSeconds: TO_PERIOD_END }),
        expect.objectContaining({ index: 4, reason: 'BUDGET_EXHAUSTED', retryAfterSeconds: TO_PERIOD_END }),
      ]);
      expect(await controls(org)).toMatchObject({ spentThisPeriod: { amount: '5.00' }, remainingBudget: { amount: '0.00' } });
      // Raising the budget resumes usage at once.
      await set({ organizationId: org, monthlyBudget: '6' });
      expect((await record(org, calls('b2', ['1']))).accepted).toBe(1);
    });

    it('do not block an organisation whose controls turn auto-pause off, past its plan’s budget', async () => {
      const org = await organizationOn(t.admin, 'sc_budget');
      await set({ organizationId: org, autoPause: false });
      expect((await record(org, calls('o', ['11']))).accepted).toBe(1);
      expect(await controls(org)).toMatchObject({ spentThisPeriod: { amount: '11.00' }, remainingBudget: { amount: '0.00' } });
    });

    it.each<[string, Partial<SpendControlsInput>]>([
      ['an auto-paused budget', { monthlyBudget: '7.77' }],
      ['an hourly limit', { perHourLimit: '7.77', autoPause: false }],
      ['a daily limit', { perDayLimit: '7.77', autoPause: false }],
    ])('never record past %s, whatever concurrent batches send', async (_label, input) => {
      const org = await organizationOn(t.admin, 'sc_budget');
      await set({ organizationId: org, ...input });
      const quantities = ['0.13', '0.29', '0.07', '0.41', '0.05', '0.31', '0.17', '0.23', '0.11', '0.37'];
      const batches = Array.from({ length: 8 }, (_, b) =>
        record(
          org,
          Array.from({ length: 40 }, (_, i) => ({
            id: `c${b}-${i}`,
            metric: 'sc_calls',
            quantity: quantities[(b + i) % quantities.length]!,
            timestamp: CLOCK,
          })),
        ),
      );
      const results = await Promise.all(batches);
      expect(results.reduce((n, r) => n + r.rejected.length, 0)).toBeGreaterThan(0);
      const cost = Number(await spent(org));
      expect(cost).toBeLessThanOrEqual(7.77);
      // The smallest event (0.05) no longer fits: the limit is used up to within it.
      expect(cost).toBeGreaterThan(7.77 - 0.05);
    });
  });

  describe('requests per hour', () => {
    it('refuses events past the plan’s requests per hour (RATE_LIMITED, retried when the hour ends)', async () => {
      const org = await organizationOn(t.admin, 'sc_rates');
      const first = await record(org, calls('r1', ['0', '0']));
      const second = await record(org, calls('r2', ['0', '0']));
      expect(first.accepted + second.accepted).toBe(3);
      expect(second.rejected).toEqual([
        expect.objectContaining({ index: 1, code: 'RATE_LIMITED', reason: 'RATE_LIMITED', retryAfterSeconds: TO_HOUR_END }),
      ]);
    });

    it('says when a minute’s requests may be retried', async () => {
      await t.admin.data(CreatePlanDocument, { input: plan('sc_minute', { requestsPerMinute: 1, requestsPerHour: 100 }) });
      const org = await organizationOn(t.admin, 'sc_minute', '2026-03-10T12:00:45.000Z');
      const res = await record(org, calls('m', ['0', '0'], '2026-03-10T12:00:40.000Z'));
      expect(res.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'RATE_LIMITED', retryAfterSeconds: 15 })]);
    });

    it('refuses a requestsPerHour below 1 (BAD_USER_INPUT)', async () => {
      const res = await t.admin.request(CreatePlanDocument, { input: plan('sc_bad_rate', { requestsPerHour: 0 }) });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_LIMITS' });
    });
  });

  describe('entitlements', () => {
    it('report BUDGET_EXHAUSTED at the controls’ budget, and access again once it is raised', async () => {
      const { organization } = await createTenant(t.admin, 'sc_budget');
      const org = organization.id;
      const check = async () => (await t.admin.data(EntitlementCheckDocument, { organizationId: org, feature: 'sc_calls' })).entitlement;
      await set({ organizationId: org, monthlyBudget: '2' });
      await record(org, calls('x', ['2'], new Date().toISOString()));
      expect(await check()).toMatchObject({ hasAccess: false, reason: 'BUDGET_EXHAUSTED' });
      await set({ organizationId: org, monthlyBudget: '3' });
      expect(await check()).toMatchObject({ hasAccess: true, reason: null });
      await set({ organizationId: org, autoPause: false, monthlyBudget: '1' });
      expect(await check()).toMatchObject({ hasAccess: true });
    });
  });
});
