import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ApiKeysDocument,
  AuditLogDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  ViewerDocument,
  type Role,
} from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import type { GraphQLClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait-for';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('listing and revoking API keys', () => {
  let t: TestServer;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let other: Awaited<ReturnType<typeof createTenant>>;
  let tenantAdmin: GraphQLClient;

  beforeAll(async () => {
    t = await startTestServer();
    const { plan } = await createCatalog(t.admin);
    tenant = await createTenant(t.admin, plan.code);
    other = await createTenant(t.admin, plan.code);
    tenantAdmin = t.client(tenant.keys.tenantAdmin);
  });
  afterAll(() => t.close());

  const newKey = async (organizationId: string | null, role: Role, by: GraphQLClient = t.admin) =>
    (await by.data(CreateApiKeyDocument, { input: { organizationId, role, name: `${role} ${Math.random()}` } })).createApiKey;
  const keysOf = async (organizationId: string | null, by: GraphQLClient = t.admin) =>
    (await by.data(ApiKeysDocument, { organizationId })).apiKeys;
  const extensionsOf = async <T, V>(by: GraphQLClient, document: TypedDocumentNode<T, V>, variables: V) =>
    (await by.request(document, variables)).errors?.[0]?.extensions;

  it("lists an organisation's keys, newest first, with their prefix and never the secret or its hash", async () => {
    const created = await newKey(tenant.organization.id, 'MEMBER');
    const keys = await keysOf(tenant.organization.id);
    expect(keys[0]).toEqual({
      id: created.id,
      organizationId: tenant.organization.id,
      name: expect.stringMatching(/^MEMBER /),
      role: 'MEMBER',
      prefix: created.key.slice(0, 10),
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(keys.map((k) => k.role)).toEqual(expect.arrayContaining(['TENANT_ADMIN', 'BILLING_CONTACT', 'MEMBER']));
    const [{ key_hash: hash }] = await t.db.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.id]);
    const text = JSON.stringify(keys);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(hash);
    expect(keys.every((k) => k.organizationId === tenant.organization.id)).toBe(true);
  });

  it("lists the platform admin keys for a platform admin without an organisation, a tenant admin's own by default", async () => {
    const platform = await keysOf(null);
    expect(platform.map((k) => k.prefix)).toContain(t.adminKey.slice(0, 10));
    expect(platform.every((k) => k.role === 'PLATFORM_ADMIN' && k.organizationId === null)).toBe(true);
    const own = await keysOf(null, tenantAdmin);
    expect(own.length).toBeGreaterThanOrEqual(3);
    expect(own.every((k) => k.organizationId === tenant.organization.id)).toBe(true);
  });

  it.each([
    ['a tenant admin asks for another organisation', 'tenantAdmin', 'OTHER', { code: 'FORBIDDEN', reason: 'FORBIDDEN' }],
    ['a billing contact asks for its own', 'billingContact', 'OWN', { code: 'FORBIDDEN' }],
    ['a member asks for its own', 'member', 'OWN', { code: 'FORBIDDEN' }],
    ['the organisation id is malformed', 'tenantAdmin', '42', { code: 'BAD_USER_INPUT', reason: 'INVALID_ID' }],
  ] as const)('refuses when %s', async (_label, who, organization, expected) => {
    const organizationId =
      organization === 'OTHER' ? other.organization.id : organization === 'OWN' ? tenant.organization.id : organization;
    expect(await extensionsOf(t.client(tenant.keys[who]), ApiKeysDocument, { organizationId })).toMatchObject(expected);
  });

  it('answers a platform admin NOT_FOUND for an organisation that does not exist', async () => {
    expect(await extensionsOf(t.admin, ApiKeysDocument, { organizationId: MISSING })).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'ORGANIZATION_NOT_FOUND',
    });
  });

  it("records a key's last use once, off the request path, not once per request", async () => {
    const { id, key } = await newKey(tenant.organization.id, 'MEMBER');
    const client = t.client(key);
    const spy = jest.spyOn(t.db.logger, 'logQuery');
    try {
      for (let i = 0; i < 10; i++) await client.data(ViewerDocument);
      const used = await waitFor(async () => (await keysOf(tenant.organization.id)).find((k) => k.id === id)?.lastUsedAt ?? undefined);
      expect(Date.parse(used)).toBeGreaterThan(Date.now() - 60_000);
      for (let i = 0; i < 10; i++) await client.data(ViewerDocument);
      // The uses after the first are within the minute: nothing more is written, however long one waits.
      await t.server.services.apiKeyUsage.flush();
      const writes = spy.mock.calls.filter(([query]) => /UPDATE api_keys/.test(query));
      expect(writes).toHaveLength(1);
      expect((await keysOf(tenant.organization.id)).find((k) => k.id === id)?.lastUsedAt).toBe(used);
    } finally {
      spy.mockRestore();
    }
  });

  it("lets a tenant admin revoke its organisation's key: refused at once, audited, and revoking again changes nothing", async () => {
    const { id, key } = await newKey(tenant.organization.id, 'MEMBER');
    expect((await t.client(key).data(ViewerDocument)).viewer.role).toBe('MEMBER');
    const { revokeApiKey } = await tenantAdmin.data(RevokeApiKeyDocument, { id });
    expect(revokeApiKey).toMatchObject({ id, organizationId: tenant.organization.id, revokedAt: expect.any(String) });
    const res = await t.client(key).request(ViewerDocument);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const again = (await tenantAdmin.data(RevokeApiKeyDocument, { id })).revokeApiKey;
    expect(again.revokedAt).toBe(revokeApiKey.revokedAt);
    expect((await keysOf(tenant.organization.id)).find((k) => k.id === id)?.revokedAt).toBe(revokeApiKey.revokedAt);
    const { auditLog } = await t.admin.data(AuditLogDocument, {
      organizationId: tenant.organization.id,
      operation: 'revokeApiKey',
      first: 5,
    });
    expect(auditLog.edges.map((e) => e.node)).toContainEqual(
      expect.objectContaining({ role: 'TENANT_ADMIN', organizationId: tenant.organization.id, arguments: { id }, result: { id } }),
    );
  });

  it('lets a platform admin revoke any key, a platform admin key too', async () => {
    const tenantKey = await newKey(other.organization.id, 'BILLING_CONTACT');
    const platformKey = await newKey(null, 'PLATFORM_ADMIN');
    for (const { id, key } of [tenantKey, platformKey]) {
      expect((await t.admin.data(RevokeApiKeyDocument, { id })).revokeApiKey.revokedAt).not.toBeNull();
      expect((await t.client(key).request(ViewerDocument)).status).toBe(401);
    }
  });

  it('refuses a key revoking itself, which keeps working', async () => {
    const own = (await keysOf(null, tenantAdmin)).find((k) => k.prefix === tenant.keys.tenantAdmin.slice(0, 10))!;
    expect(await extensionsOf(tenantAdmin, RevokeApiKeyDocument, { id: own.id })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'OWN_KEY',
    });
    expect((await tenantAdmin.data(ViewerDocument)).viewer.role).toBe('TENANT_ADMIN');
  });

  it("answers NOT_FOUND for another organisation's key, a platform key and a missing one, and revokes none", async () => {
    const theirs = await newKey(other.organization.id, 'MEMBER');
    const platform = (await keysOf(null)).find((k) => k.prefix === t.adminKey.slice(0, 10))!;
    for (const id of [theirs.id, platform.id, MISSING]) {
      expect(await extensionsOf(tenantAdmin, RevokeApiKeyDocument, { id })).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
    }
    expect((await t.client(theirs.key).data(ViewerDocument)).viewer.role).toBe('MEMBER');
    expect((await keysOf(null)).find((k) => k.id === platform.id)?.revokedAt).toBeNull();
  });

  it('refuses a malformed id, and roles that may not manage keys', async () => {
    expect(await extensionsOf(tenantAdmin, RevokeApiKeyDocument, { id: 'mtr_123' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_ID',
    });
    const target = await newKey(tenant.organization.id, 'MEMBER');
    for (const who of ['billingContact', 'member'] as const) {
      expect(await extensionsOf(t.client(tenant.keys[who]), RevokeApiKeyDocument, { id: target.id })).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await t.client(target.key).data(ViewerDocument)).viewer.role).toBe('MEMBER');
  });
});
