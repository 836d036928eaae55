import {
  ChangePlanDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  PlanRecommendationsDocument,
  PlansDocument,
  type CreatePlanInput,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { loadSeedCatalog, organizationOn } from '../helpers/usage-fixtures';

/** A negotiated price for one analytics customer: the Enterprise tier's "Custom" price made data. */
const customPlan = (organizationId: string | null, code = 'analytics_custom_acme'): CreatePlanInput => ({
  code,
  name: 'Analytics Enterprise (negotiated)',
  currency: 'USD',
  basePrice: '1500',
  paymentTermsDays: 30,
  charges: [{ metric: 'llm_tokens', model: 'PER_UNIT', unitPrice: '0.000008', included: '50000000' }],
  organizationId,
});

describe('custom plans', () => {
  let t: TestServer;
  let acme: string;
  let other: string;
  beforeAll(async () => {
    t = await startTestServer();
    await loadSeedCatalog(t.admin);
    acme = await organizationOn(t.admin, 'analytics_starter', '2026-03-10T12:00:00Z');
    other = await organizationOn(t.admin, 'analytics_starter', '2026-03-10T12:00:00Z');
    const { createPlan } = await t.admin.data(CreatePlanDocument, { input: customPlan(acme) });
    expect(createPlan).toMatchObject({ code: 'analytics_custom_acme', organizationId: acme, paymentTermsDays: 30 });
  });
  afterAll(() => t.close());

  const codes = async (key: string) => (await t.client(key).data(PlansDocument)).plans.map((p) => p.code);

  it('are listed to their own organisation and to platform admins, never to another tenant', async () => {
    expect(await codes(await createApiKey(t.admin, acme, 'MEMBER'))).toContain('analytics_custom_acme');
    expect(await codes(t.adminKey)).toContain('analytics_custom_acme');
    const otherCodes = await codes(await createApiKey(t.admin, other, 'TENANT_ADMIN'));
    expect(otherCodes).toContain('analytics_starter');
    expect(otherCodes).not.toContain('analytics_custom_acme');
  });

  it('may be taken by their organisation only; to another it is an unknown plan', async () => {
    const refused = await t.admin.request(ChangePlanDocument, { input: { organizationId: other, planCode: 'analytics_custom_acme' } });
    expect(refused.errors?.[0]).toMatchObject({
      message: 'No plan has the code "analytics_custom_acme"',
      extensions: { code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PLAN' },
    });
    const { changePlan } = await t.admin.data(ChangePlanDocument, { input: { organizationId: acme, planCode: 'analytics_custom_acme' } });
    expect(changePlan.plan.code).toBe('analytics_custom_acme');
  });

  it('cannot start a new organisation', async () => {
    const res = await t.admin.request(CreateOrganizationDocument, { input: { name: 'Newcomer', planCode: 'analytics_custom_acme' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PLAN' });
  });

  it("are not offered in another organisation's recommendations", async () => {
    const { planRecommendations } = await t.admin.data(PlanRecommendationsDocument, { organizationId: other });
    expect(planRecommendations.options.map((o) => o.plan.code)).not.toContain('analytics_custom_acme');
  });

  it('need an organisation that exists, named by a valid id, and only platform admins make them', async () => {
    const missing = await t.admin.request(CreatePlanDocument, {
      input: customPlan('00000000-0000-4000-8000-00000000dead', 'custom_missing'),
    });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ORGANIZATION_NOT_FOUND' });
    expect(await t.admin.errorCode(CreatePlanDocument, { input: customPlan('not-an-id', 'custom_bad_id') })).toBe('BAD_USER_INPUT');
    const tenantAdmin = t.client(await createApiKey(t.admin, acme, 'TENANT_ADMIN'));
    expect(await tenantAdmin.errorCode(CreatePlanDocument, { input: customPlan(acme, 'custom_by_tenant') })).toBe('FORBIDDEN');
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM plans WHERE code LIKE 'custom_%'`))[0].n)).toBe(0);
  });
});
