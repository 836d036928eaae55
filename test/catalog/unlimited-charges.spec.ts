import { CreateMetricDocument, CreatePlanDocument, EntitlementCheckDocument, type CreatePlanInput } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, metricUsage, organizationOn, record } from '../helpers/usage-fixtures';

/** The analytics Enterprise tier: unlimited queries, everything else as usual. */
const enterprise = (charges: CreatePlanInput['charges'], code = 'unl_enterprise'): CreatePlanInput => ({
  code,
  name: 'Enterprise',
  currency: 'USD',
  basePrice: '2000',
  charges,
});

describe('unlimited charges', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.data(CreateMetricDocument, { input: { code: 'unl_queries', unit: 'query', aggregation: 'SUM' } });
    await t.admin.data(CreatePlanDocument, { input: enterprise([{ metric: 'unl_queries', model: 'PER_UNIT', unlimited: true }]) });
  });
  afterAll(() => t.close());

  it('never refuse nor bill usage, and say unlimited in usage and entitlements', async () => {
    const org = await organizationOn(t.admin, 'unl_enterprise');
    const recorded = await record(t.admin, org, [{ id: 'q1', metric: 'unl_queries', quantity: '123456789012', timestamp: at(0) }]);
    expect(recorded).toMatchObject({ accepted: 1, rejected: [] });
    expect(await metricUsage(t.admin, org, 'unl_queries')).toMatchObject({
      used: '123456789012',
      limit: null,
      remaining: null,
      unlimited: true,
      percentage: null,
      blocked: false,
      cost: { amount: '0.00' },
    });
    const { entitlement } = await t.admin.data(EntitlementCheckDocument, { organizationId: org, feature: 'unl_queries' });
    expect(entitlement).toMatchObject({ hasAccess: true, unlimited: true, limit: null, used: '123456789012' });
  });

  it('take no limit, included quantity or price, and only the PER_UNIT model', async () => {
    const bad: Array<CreatePlanInput['charges'][number]> = [
      { metric: 'unl_queries', model: 'PER_UNIT', unlimited: true, limit: '10' },
      { metric: 'unl_queries', model: 'PER_UNIT', unlimited: true, hardLimit: true },
      { metric: 'unl_queries', model: 'PER_UNIT', unlimited: true, included: '5' },
      { metric: 'unl_queries', model: 'PER_UNIT', unlimited: true, unitPrice: '0.01' },
      { metric: 'unl_queries', model: 'PACKAGE', unlimited: true },
    ];
    for (const [i, charge] of bad.entries()) {
      const res = await t.admin.request(CreatePlanDocument, { input: enterprise([charge], `unl_bad_${i}`) });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CHARGE' });
    }
    expect(Number((await t.db.query(`SELECT count(*) AS n FROM plans WHERE code LIKE 'unl_bad_%'`))[0].n)).toBe(0);
  });
});
