import {
  AuditLogDocument,
  CreateAlertRuleDocument,
  CreateMetricDocument,
  CreditBalanceDocument,
  DeleteAlertRuleDocument,
  GrantCreditsDocument,
} from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import type { GraphQLClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('audit trail entries', () => {
  let t: TestServer;
  let org: string;
  let tenantAdmin: GraphQLClient;
  beforeAll(async () => {
    t = await startTestServer();
    const { plan } = await createCatalog(t.admin);
    const tenant = await createTenant(t.admin, plan.code);
    org = tenant.organization.id;
    tenantAdmin = t.client(tenant.keys.tenantAdmin);
  });
  afterAll(() => t.close());

  const latest = async (client: GraphQLClient, operation: string, organizationId?: string) =>
    (await client.data(AuditLogDocument, { organizationId, operation, first: 1 })).auditLog.edges.map((e) => e.node);

  it("keeps a metric's sessionKey: it names the field sessions are grouped by, not a secret", async () => {
    const input = {
      code: 'audited_sessions',
      unit: 'session',
      aggregation: 'COUNT' as const,
      sessionIdleMinutes: 30,
      sessionKey: 'conversation',
    };
    await t.admin.data(CreateMetricDocument, { input });
    const [entry] = await latest(t.admin, 'createMetric');
    expect(entry!.arguments).toEqual({ input: expect.objectContaining({ sessionKey: 'conversation', code: 'audited_sessions' }) });
  });

  it('files a deleted alert rule under the organisation it belonged to', async () => {
    const { createAlertRule: rule } = await tenantAdmin.data(CreateAlertRuleDocument, {
      input: { organizationId: org, thresholdAmount: '50', severity: 'WARNING' },
    });
    expect(await tenantAdmin.data(DeleteAlertRuleDocument, { id: rule.id })).toEqual({ deleteAlertRule: true });
    const entries = await latest(tenantAdmin, 'deleteAlertRule', org);
    expect(entries).toEqual([expect.objectContaining({ organizationId: org, role: 'TENANT_ADMIN', arguments: { id: rule.id } })]);
  });

  it('answers a committed mutation with its data when its audit entry cannot be written, and counts the loss', async () => {
    const lost = async () => {
      const text = await (await fetch(t.server.url.replace(/\/graphql$/, '/metrics'))).text();
      return Number(/^meterly_audit_write_failures_total\{operation="grantCredits"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    // The database refuses this one entry; the credit itself is written before, in its own transaction.
    await t.db.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_refused CHECK (operation <> 'grantCredits') NOT VALID`);
    try {
      const res = await t.admin.request(GrantCreditsDocument, { input: { organizationId: org, amount: '10' } });
      expect(res).toEqual({ status: 200, data: { grantCredits: { amount: '10.00', currency: 'USD' } } });
    } finally {
      await t.db.query('ALTER TABLE audit_log DROP CONSTRAINT audit_refused');
    }
    expect((await t.admin.data(CreditBalanceDocument, { id: org })).organization?.creditBalance.amount).toBe('10.00');
    expect(await latest(t.admin, 'grantCredits', org)).toEqual([]);
    expect(await lost()).toBe(1);
  });
});
