import { CreateOrganizationDocument, OrganizationDocument } from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('organizations', () => {
  let t: TestServer;
  let planCode: string;
  const count = async () => Number((await t.db.query('SELECT count(*) AS n FROM organizations'))[0].n);

  beforeAll(async () => {
    t = await startTestServer();
    planCode = (await createCatalog(t.admin)).plan.code;
  });
  afterAll(() => t.close());

  it('creates an organisation subscribed to the plan for the current calendar month', async () => {
    const { createOrganization: org } = await t.admin.data(CreateOrganizationDocument, { input: { name: '  Acme  ', planCode } });
    expect(org).toMatchObject({ name: 'Acme', currency: 'USD', testClockAt: null });
    const { organization } = await t.admin.data(OrganizationDocument, { id: org.id });
    const now = new Date();
    expect(organization?.plan?.code).toBe(planCode);
    expect(organization?.plan?.basePrice).toEqual({ amount: '10.00', currency: 'USD' });
    expect(organization?.subscription).toMatchObject({
      status: 'active',
      cancelAtPeriodEnd: false,
      pendingPlan: null,
      plan: { code: planCode },
      currentPeriodStart: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
      currentPeriodEnd: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    });
  });

  it('puts a test-clock organisation in the period of its own clock', async () => {
    const { createOrganization: org } = await t.admin.data(CreateOrganizationDocument, {
      input: { name: 'Simulated', planCode, testClock: '2025-02-14T10:00:00Z' },
    });
    expect(org.testClockAt).toBe('2025-02-14T10:00:00.000Z');
    const { organization } = await t.admin.data(OrganizationDocument, { id: org.id });
    expect(organization?.subscription?.currentPeriodStart).toBe('2025-02-01T00:00:00.000Z');
    expect(organization?.subscription?.currentPeriodEnd).toBe('2025-03-01T00:00:00.000Z');
  });

  it('lets each tenant role read its own organisation', async () => {
    const tenant = await createTenant(t.admin, planCode);
    for (const key of Object.values(tenant.keys)) {
      const { organization } = await t.client(key).data(OrganizationDocument, { id: tenant.organization.id });
      expect(organization?.id).toBe(tenant.organization.id);
    }
  });

  describe('bad input gets BAD_USER_INPUT or NOT_FOUND and writes nothing', () => {
    it.each([
      ['an unknown plan code', { name: 'x', planCode: 'no_such_plan' }],
      ['an empty name', { name: '   ', planCode: 'PLAN' }],
      ['a currency that is not ISO 4217', { name: 'x', planCode: 'PLAN', currency: 'ZZZ' }],
      ["a currency other than the plan's", { name: 'x', planCode: 'PLAN', currency: 'EUR' }],
    ])('%s', async (_label, input) => {
      const before = await count();
      const res = await t.admin.request(CreateOrganizationDocument, {
        input: { ...input, planCode: input.planCode === 'PLAN' ? planCode : input.planCode },
      });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await count()).toBe(before);
    });

    it('a malformed test clock', async () => {
      const res = await t.admin.request(CreateOrganizationDocument, { input: { name: 'x', planCode, testClock: 'yesterday' } });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('a malformed id', async () => {
      expect(await t.admin.errorCode(OrganizationDocument, { id: 'not-a-uuid' })).toBe('BAD_USER_INPUT');
    });

    it('an id that does not exist', async () => {
      expect(await t.admin.errorCode(OrganizationDocument, { id: '00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    });
  });
});
