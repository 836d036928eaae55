import {
  ChangePlanDocument,
  CloseAccountDocument,
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  EntitlementCheckDocument,
  EntitlementsDocument,
  PlanFeaturesDocument,
  RemoveFeatureOverrideDocument,
  SetFeatureOverrideDocument,
  type CreatePlanInput,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { record } from '../helpers/usage-fixtures';

const basic: CreatePlanInput = {
  code: 'ent_basic',
  name: 'Basic',
  currency: 'USD',
  basePrice: '0',
  monthlyBudget: '1.00',
  autoPauseAtBudget: true,
  charges: [
    { metric: 'ent_requests', model: 'PER_UNIT', unitPrice: '0.10', limit: '10', hardLimit: true },
    { metric: 'ent_tokens', model: 'PER_UNIT', unitPrice: '0', limit: '1000.5' },
  ],
  features: [
    { feature: 'concurrent_requests', config: { limit: 20 } },
    { feature: 'sso', enabled: false },
  ],
};
const pro: CreatePlanInput = {
  code: 'ent_pro',
  name: 'Pro',
  currency: 'USD',
  basePrice: '10',
  charges: [
    { metric: 'ent_requests', model: 'PER_UNIT', unitPrice: '0.01' },
    { metric: 'ent_tokens', model: 'PER_UNIT', unitPrice: '0' },
  ],
  features: [{ feature: 'concurrent_requests', config: { limit: 100 } }, { feature: 'sso' }],
};

describe('entitlements', () => {
  let t: TestServer;
  const organization = async (planCode = 'ent_basic') =>
    (await t.admin.data(CreateOrganizationDocument, { input: { name: 'Entitled', planCode } })).createOrganization.id;
  const check = async (organizationId: string, feature: string, key = t.adminKey) =>
    (await t.client(key).data(EntitlementCheckDocument, { organizationId, feature })).entitlement;
  const now = () => new Date().toISOString();

  beforeAll(async () => {
    t = await startTestServer();
    for (const code of ['ent_requests', 'ent_tokens']) {
      await t.admin.data(CreateMetricDocument, { input: { code, unit: 'unit', aggregation: 'SUM' } });
    }
    await t.admin.data(CreatePlanDocument, { input: basic });
    await t.admin.data(CreatePlanDocument, { input: pro });
  });
  afterAll(() => t.close());

  it('shows the features a plan grants in Plan.features', async () => {
    const { plans } = await t.admin.data(PlanFeaturesDocument);
    expect(plans.find((p) => p.code === 'ent_basic')?.features).toEqual([
      expect.objectContaining({ feature: 'concurrent_requests', hasAccess: true, reason: null, config: { limit: 20 } }),
      expect.objectContaining({ feature: 'sso', hasAccess: false, reason: 'FEATURE_DISABLED' }),
    ]);
  });

  it("lists an organisation's features and metered access, to its own member as to the platform", async () => {
    const org = await organization();
    const member = await createApiKey(t.admin, org, 'MEMBER');
    const { entitlements } = await t.client(member).data(EntitlementsDocument, { organizationId: org });
    expect(entitlements).toEqual([
      expect.objectContaining({ feature: 'concurrent_requests', hasAccess: true, config: { limit: 20 }, unlimited: false }),
      {
        feature: 'ent_requests',
        hasAccess: true,
        reason: null,
        config: null,
        metric: 'ent_requests',
        used: '0',
        limit: '10',
        remaining: '10',
        unlimited: false,
      },
      expect.objectContaining({ feature: 'ent_tokens', hasAccess: true, used: '0', limit: '1000.5', remaining: '1000.5' }),
      expect.objectContaining({ feature: 'sso', hasAccess: false, reason: 'FEATURE_DISABLED' }),
    ]);
    expect(await check(org, 'managed_bedrock', member)).toMatchObject({ hasAccess: false, reason: 'NOT_IN_PLAN', unlimited: false });
  });

  it("refuses another tenant's key (FORBIDDEN), a malformed feature and an unknown organisation", async () => {
    const org = await organization();
    const other = await createApiKey(t.admin, await organization(), 'TENANT_ADMIN');
    const forbidden = await t.client(other).request(EntitlementCheckDocument, { organizationId: org, feature: 'sso' });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.client(other).errorCode(EntitlementsDocument, { organizationId: org })).toBe('FORBIDDEN');
    const bad = await t.admin.request(EntitlementCheckDocument, { organizationId: org, feature: 'Not A Code' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_FEATURE' });
    const missing = await t.admin.request(EntitlementsDocument, { organizationId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ORGANIZATION_NOT_FOUND' });
  });

  it('answers usage at once: exact decimals, QUOTA_EXCEEDED at a hard limit, BUDGET_EXHAUSTED at an auto-pause budget', async () => {
    const org = await organization();
    await record(t.admin, org, [{ id: 't1', metric: 'ent_tokens', quantity: '999.75', timestamp: now() }]);
    expect(await check(org, 'ent_tokens')).toMatchObject({ hasAccess: true, used: '999.75', remaining: '0.75' });
    await record(
      t.admin,
      org,
      [...Array(9).keys()].map((i) => ({ id: `r${i}`, metric: 'ent_requests', quantity: '1', timestamp: now() })),
    );
    expect(await check(org, 'ent_requests')).toMatchObject({ hasAccess: true, used: '9', remaining: '1' });
    await record(t.admin, org, [{ id: 'r9', metric: 'ent_requests', quantity: '1', timestamp: now() }]);
    expect(await check(org, 'ent_requests')).toMatchObject({ hasAccess: false, reason: 'QUOTA_EXCEEDED', used: '10', remaining: '0' });
    // Ten requests at 0.10 reached the 1.00 budget, which pauses every metric.
    expect(await check(org, 'ent_tokens')).toMatchObject({ hasAccess: false, reason: 'BUDGET_EXHAUSTED' });
  });

  it('follows a plan change and a closed account', async () => {
    const org = await organization();
    expect(await check(org, 'sso')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
    await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: 'ent_pro' } });
    expect(await check(org, 'sso')).toMatchObject({ hasAccess: true, reason: null });
    expect(await check(org, 'ent_requests')).toMatchObject({ hasAccess: true, limit: null, remaining: null, unlimited: true });
    expect(await check(org, 'concurrent_requests')).toMatchObject({ config: { limit: 100 } });
    await t.admin.data(CloseAccountDocument, { organizationId: org });
    expect(await check(org, 'sso')).toMatchObject({ hasAccess: false, reason: 'ACCOUNT_CLOSED' });
    expect(await check(org, 'ent_requests')).toMatchObject({ hasAccess: false, reason: 'ACCOUNT_CLOSED' });
  });

  it('lets a platform admin override a feature for one organisation, and remove the override', async () => {
    const org = await organization();
    const neighbour = await organization();
    const granted = await t.admin.data(SetFeatureOverrideDocument, {
      input: { organizationId: org, feature: 'sso', enabled: true, config: { saml: true } },
    });
    expect(granted.setFeatureOverride).toMatchObject({ feature: 'sso', hasAccess: true, config: { saml: true } });
    expect(await check(org, 'sso')).toMatchObject({ hasAccess: true });
    expect(await check(neighbour, 'sso')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
    await t.admin.data(SetFeatureOverrideDocument, {
      input: { organizationId: org, feature: 'concurrent_requests', enabled: true, config: { limit: 40 } },
    });
    expect(await check(org, 'concurrent_requests')).toMatchObject({ config: { limit: 40 } });
    await t.admin.data(SetFeatureOverrideDocument, { input: { organizationId: org, feature: 'ent_tokens', enabled: false } });
    expect(await check(org, 'ent_tokens')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED', metric: 'ent_tokens' });
    const removed = await t.admin.data(RemoveFeatureOverrideDocument, { organizationId: org, feature: 'sso' });
    expect(removed.removeFeatureOverride).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
    expect(await check(org, 'sso')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
  });

  it('refuses overrides from tenants and bad override input', async () => {
    const org = await organization();
    const tenantAdmin = await createApiKey(t.admin, org, 'TENANT_ADMIN');
    expect(
      await t.client(tenantAdmin).errorCode(SetFeatureOverrideDocument, { input: { organizationId: org, feature: 'sso', enabled: true } }),
    ).toBe('FORBIDDEN');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ feature: 'SSO!', enabled: true }, 'INVALID_FEATURE'],
      [{ feature: 'sso', enabled: true, config: 'on' }, 'INVALID_CONFIG'],
      [{ feature: 'sso', enabled: true, config: { blob: 'x'.repeat(5000) } }, 'INVALID_CONFIG'],
    ];
    for (const [input, reason] of cases) {
      const res = await t.admin.request(SetFeatureOverrideDocument, { input: { organizationId: org, ...input } as never });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    }
    const none = await t.admin.request(RemoveFeatureOverrideDocument, { organizationId: org, feature: 'sso' });
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'NO_OVERRIDE' });
    const missing = await t.admin.request(SetFeatureOverrideDocument, {
      input: { organizationId: '00000000-0000-4000-8000-000000000000', feature: 'sso', enabled: true },
    });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ORGANIZATION_NOT_FOUND' });
  });

  it('refuses bad features on createPlan', async () => {
    const res = await t.admin.request(CreatePlanDocument, {
      input: { ...basic, code: 'ent_bad', features: [{ feature: 'ent_requests' }] },
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_FEATURE' });
    const dup = await t.admin.request(CreatePlanDocument, {
      input: { ...basic, code: 'ent_dup', features: [{ feature: 'sso' }, { feature: 'sso' }] },
    });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'DUPLICATE_FEATURE' });
  });
});
