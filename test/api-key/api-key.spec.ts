import { CreateApiKeyDocument, OrganizationDocument, ViewerDocument } from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('API keys', () => {
  let t: TestServer;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  const keyCount = async () => Number((await t.db.query('SELECT count(*) AS n FROM api_keys'))[0].n);

  beforeAll(async () => {
    t = await startTestServer();
    tenant = await createTenant(t.admin, (await createCatalog(t.admin)).plan.code);
  });
  afterAll(() => t.close());

  it('shows the secret once and stores only its hash', async () => {
    const { createApiKey } = await t.admin.data(CreateApiKeyDocument, {
      input: { organizationId: tenant.organization.id, role: 'BILLING_CONTACT', name: 'finance' },
    });
    expect(createApiKey.key).toMatch(/^mtr_[A-Za-z0-9_-]{43}$/);
    const rows = await t.db.query('SELECT key_hash, key_prefix FROM api_keys WHERE id = $1', [createApiKey.id]);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(createApiKey.key);
    const { viewer } = await t.client(createApiKey.key).data(ViewerDocument);
    expect(viewer).toEqual({ role: 'BILLING_CONTACT', organization: expect.objectContaining({ id: tenant.organization.id }) });
  });

  it('lets a tenant admin create keys for its own organisation (by default)', async () => {
    const admin = t.client(tenant.keys.tenantAdmin);
    const { createApiKey } = await admin.data(CreateApiKeyDocument, { input: { role: 'MEMBER', name: 'dashboard' } });
    const { organization } = await t.client(createApiKey.key).data(OrganizationDocument, { id: tenant.organization.id });
    expect(organization?.id).toBe(tenant.organization.id);
  });

  it.each([
    ['a tenant admin asks for a platform admin key', 'tenantAdmin', { role: 'PLATFORM_ADMIN' as const, name: 'x' }, 'FORBIDDEN'],
    ['a billing contact asks for any key', 'billingContact', { role: 'MEMBER' as const, name: 'x' }, 'FORBIDDEN'],
    ['a member asks for any key', 'member', { role: 'MEMBER' as const, name: 'x' }, 'FORBIDDEN'],
    ['the name is empty', 'tenantAdmin', { role: 'MEMBER' as const, name: ' ' }, 'BAD_USER_INPUT'],
  ] as const)('refuses when %s, and creates nothing', async (_label, who, input, code) => {
    const before = await keyCount();
    expect(await t.client(tenant.keys[who]).errorCode(CreateApiKeyDocument, { input })).toBe(code);
    expect(await keyCount()).toBe(before);
  });

  it.each([
    ['a tenant key without an organisation', { role: 'MEMBER' as const, name: 'x' }, 'BAD_USER_INPUT'],
    ['a platform key bound to an organisation', { role: 'PLATFORM_ADMIN' as const, name: 'x', organizationId: 'ORG' }, 'BAD_USER_INPUT'],
    ['a malformed organisation id', { role: 'MEMBER' as const, name: 'x', organizationId: '42' }, 'BAD_USER_INPUT'],
    [
      'an organisation that does not exist',
      { role: 'MEMBER' as const, name: 'x', organizationId: '00000000-0000-4000-8000-000000000000' },
      'NOT_FOUND',
    ],
  ])('refuses a platform admin %s', async (_label, input, code) => {
    const before = await keyCount();
    const organizationId =
      'organizationId' in input ? (input.organizationId === 'ORG' ? tenant.organization.id : input.organizationId) : undefined;
    expect(await t.admin.errorCode(CreateApiKeyDocument, { input: { ...input, organizationId } })).toBe(code);
    expect(await keyCount()).toBe(before);
  });

  it('lets a platform admin create another platform admin key', async () => {
    const { createApiKey } = await t.admin.data(CreateApiKeyDocument, { input: { role: 'PLATFORM_ADMIN', name: 'ops' } });
    expect((await t.client(createApiKey.key).data(ViewerDocument)).viewer.role).toBe('PLATFORM_ADMIN');
  });
});
