import {
  CreateMetricDocument,
  CreatePlanDocument,
  EntitlementCheckDocument,
  PlanAccessDocument,
  RecordUsageDocument,
  RemoveFeatureOverrideDocument,
  SetFeatureOverrideDocument,
  type CreatePlanInput,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, metricUsage, organizationOn, record, usage } from '../helpers/usage-fixtures';

const basic: CreatePlanInput = {
  code: 'ref_basic',
  name: 'Basic',
  currency: 'USD',
  basePrice: '0',
  charges: [
    {
      metric: 'ref_calls',
      model: 'PER_UNIT',
      unitPrice: '0.01',
      allowedDimensions: { connector: ['notion', 'google_workspace', 'notion'] },
    },
    { metric: 'ref_managed', model: 'PER_UNIT', unitPrice: '0.10', requiresFeature: 'managed_models' },
  ],
  features: [{ feature: 'managed_models', enabled: false }],
};

describe('usage the plan does not allow is refused per event (NOT_ENTITLED)', () => {
  let t: TestServer;
  const check = async (organizationId: string, feature: string) =>
    (await t.admin.data(EntitlementCheckDocument, { organizationId, feature })).entitlement;
  const reasons = (res: Awaited<ReturnType<typeof record>>) => res.rejected.map((r) => [r.index, r.code, r.reason]);

  beforeAll(async () => {
    t = await startTestServer();
    for (const code of ['ref_calls', 'ref_managed', 'ref_other']) {
      await t.admin.data(CreateMetricDocument, { input: { code, unit: 'unit', aggregation: 'SUM' } });
    }
    await t.admin.data(CreatePlanDocument, { input: basic });
  });
  afterAll(() => t.close());

  it('refuses each event the plan does not allow, with its reason in words, and commits and bills the rest', async () => {
    const org = await organizationOn(t.admin, 'ref_basic');
    const res = await record(t.admin, org, [
      { id: 'e0', metric: 'ref_calls', quantity: '10', dimensions: { connector: 'notion' }, timestamp: at(0) },
      { id: 'e1', metric: 'ref_calls', quantity: '5', dimensions: { connector: 'slack' }, timestamp: at(1) },
      { id: 'e2', metric: 'ref_calls', quantity: '3', dimensions: { region: 'eu' }, timestamp: at(2) },
      { id: 'e3', metric: 'ref_other', quantity: '7', timestamp: at(3) },
      { id: 'e4', metric: 'ref_managed', quantity: '2', timestamp: at(4) },
      { id: 'e5', metric: 'ref_calls', quantity: '20', dimensions: { connector: 'google_workspace' }, timestamp: at(5) },
    ]);
    expect(res.accepted).toBe(2);
    expect(reasons(res)).toEqual([
      [1, 'NOT_ENTITLED', 'DIMENSION_NOT_ALLOWED'],
      [2, 'NOT_ENTITLED', 'DIMENSION_NOT_ALLOWED'],
      [3, 'NOT_ENTITLED', 'NOT_IN_PLAN'],
      [4, 'NOT_ENTITLED', 'FEATURE_DISABLED'],
    ]);
    const messages = res.rejected.map((r) => r.message);
    expect(messages[0]).toBe(`The organization's plan does not allow ref_calls with connector "slack"; allowed: notion, google_workspace`);
    expect(messages[1]).toBe('ref_calls is recorded only with the dimension "connector" set to one of: notion, google_workspace');
    expect(messages[2]).toBe("The organization's plan does not include ref_other; its usage is not recorded");
    expect(messages[3]).toBe(`ref_managed needs the feature "managed_models", which the organization's plan does not include or enable`);

    // Only the allowed 30 calls are recorded and billed: 30 × $0.01. The refused ones leave no trace, not even at zero.
    const report = await usage(t.admin, org);
    expect(report.metrics.map((m) => [m.metric, m.used, m.cost.amount])).toEqual([
      ['ref_calls', '30', '0.30'],
      ['ref_managed', '0', '0.00'],
    ]);
    expect(report.totalCost.amount).toBe('0.30');
  });

  it('opens a feature-gated metric when an override enables the feature, and agrees with entitlement()', async () => {
    const org = await organizationOn(t.admin, 'ref_basic');
    expect(await check(org, 'ref_managed')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED', metric: 'ref_managed' });
    const refused = await record(t.admin, org, [{ id: 'm1', metric: 'ref_managed', quantity: '2', timestamp: at(0) }]);
    expect(reasons(refused)).toEqual([[0, 'NOT_ENTITLED', 'FEATURE_DISABLED']]);

    await t.admin.data(SetFeatureOverrideDocument, { input: { organizationId: org, feature: 'managed_models', enabled: true } });
    expect(await check(org, 'ref_managed')).toMatchObject({ hasAccess: true, reason: null });
    // The refused event was never recorded, so the same id is accepted now: 2 × $0.10.
    const accepted = await record(t.admin, org, [{ id: 'm1', metric: 'ref_managed', quantity: '2', timestamp: at(0) }]);
    expect(accepted).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await metricUsage(t.admin, org, 'ref_managed')).toMatchObject({ used: '2', cost: { amount: '0.20' } });
  });

  it('refuses a metric withdrawn by an override until the override is removed, as entitlement() says', async () => {
    const org = await organizationOn(t.admin, 'ref_basic');
    await t.admin.data(SetFeatureOverrideDocument, { input: { organizationId: org, feature: 'ref_calls', enabled: false } });
    expect(await check(org, 'ref_calls')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
    const refused = await record(t.admin, org, [{ id: 'w1', metric: 'ref_calls', dimensions: { connector: 'notion' }, timestamp: at(0) }]);
    expect(refused.rejected).toEqual([
      expect.objectContaining({
        code: 'NOT_ENTITLED',
        reason: 'FEATURE_DISABLED',
        message: 'ref_calls is withdrawn from this organization by an override',
      }),
    ]);
    await t.admin.data(RemoveFeatureOverrideDocument, { organizationId: org, feature: 'ref_calls' });
    expect(await check(org, 'ref_calls')).toMatchObject({ hasAccess: true });
    const accepted = await record(t.admin, org, [{ id: 'w1', metric: 'ref_calls', dimensions: { connector: 'notion' }, timestamp: at(0) }]);
    expect(accepted).toMatchObject({ accepted: 1, rejected: [] });

    // An override may withdraw a metric, never grant one: its usage would have no charge to be priced by.
    const grant = await t.admin.request(SetFeatureOverrideDocument, {
      input: { organizationId: org, feature: 'ref_other', enabled: true },
    });
    expect(grant.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_FEATURE' });
    expect(grant.errors?.[0]?.message).toMatch(/"ref_other" is a metric: an override can withdraw its metered access/);
  });

  it('refuses all usage of an organisation without a plan (NOT_IN_PLAN)', async () => {
    // Only data loaded outside the API lacks a subscription: the API always starts an organisation on a plan.
    const org = await organizationOn(t.admin, 'ref_basic');
    await t.db.query('DELETE FROM plan_subscriptions WHERE organization_id = $1', [org]);
    const res = await record(t.admin, org, [{ id: 'n1', metric: 'ref_calls', dimensions: { connector: 'notion' }, timestamp: at(0) }]);
    expect(res).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(res.rejected).toEqual([
      expect.objectContaining({
        code: 'NOT_ENTITLED',
        reason: 'NOT_IN_PLAN',
        message: 'The organization has no plan, so no usage (here ref_calls) is recorded',
      }),
    ]);
    expect(await check(org, 'ref_calls')).toMatchObject({ hasAccess: false, reason: 'NOT_IN_PLAN' });
  });

  it("refuses another tenant's key (FORBIDDEN) before looking at any event", async () => {
    const org = await organizationOn(t.admin, 'ref_basic');
    const other = await createApiKey(t.admin, await organizationOn(t.admin, 'ref_basic'), 'TENANT_ADMIN');
    const events = [{ id: 'x1', metric: 'ref_other', timestamp: at(0) }];
    expect(await t.client(other).errorCode(RecordUsageDocument, { input: { organizationId: org, events } })).toBe('FORBIDDEN');
  });

  it('stores the allow-list (keys sorted, values once) and the feature gate, and shows them on the plan', async () => {
    const { plans } = await t.admin.data(PlanAccessDocument);
    const plan = plans.find((p) => p.code === 'ref_basic');
    expect([...(plan?.charges ?? [])].sort((a, b) => a.metric.localeCompare(b.metric))).toEqual([
      { metric: 'ref_calls', unlimited: false, allowedDimensions: { connector: ['notion', 'google_workspace'] }, requiresFeature: null },
      { metric: 'ref_managed', unlimited: false, allowedDimensions: null, requiresFeature: 'managed_models' },
    ]);
    expect(plan?.features).toEqual([{ feature: 'managed_models', hasAccess: false, reason: 'FEATURE_DISABLED', config: null }]);
  });

  it('refuses bad allowedDimensions and requiresFeature with BAD_USER_INPUT and a reason', async () => {
    const many = (n: number, f: (i: number) => [string, unknown]) => Object.fromEntries(Array.from({ length: n }, (_, i) => f(i)));
    const cases: Array<[unknown, string | null, string]> = [
      ['notion', null, 'INVALID_ALLOWED_DIMENSIONS'],
      [['notion'], null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{}, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{ connector: [] }, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{ connector: 'notion' }, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{ connector: [1] }, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{ connector: [''] }, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{ connector: ['x'.repeat(201)] }, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{ 'not a key!': ['x'] }, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [many(21, (i) => [`d${i}`, ['x']]), null, 'INVALID_ALLOWED_DIMENSIONS'],
      [{ connector: Array.from({ length: 101 }, (_, i) => `c${i}`) }, null, 'INVALID_ALLOWED_DIMENSIONS'],
      [null, 'Not A Feature', 'INVALID_FEATURE'],
      [null, 'ref_calls', 'INVALID_FEATURE'],
    ];
    for (const [index, [allowedDimensions, requiresFeature, reason]] of cases.entries()) {
      const res = await t.admin.request(CreatePlanDocument, {
        input: {
          ...basic,
          code: `ref_bad_${index}`,
          charges: [
            { metric: 'ref_calls', model: 'PER_UNIT', unitPrice: '0.01' },
            { metric: 'ref_other', model: 'PER_UNIT', unitPrice: '0', allowedDimensions, requiresFeature },
          ],
        },
      });
      expect([index, res.errors?.[0]?.extensions]).toEqual([index, expect.objectContaining({ code: 'BAD_USER_INPUT', reason })]);
    }
  });
});
