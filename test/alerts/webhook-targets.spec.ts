import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AlertWebhookUrlDocument, AuditLogDocument, CreateAlertRuleDocument, SetAlertWebhookDocument } from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait-for';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';

const listen = async <S extends HttpServer | TcpServer>(server: S): Promise<S & { port: number }> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
};
const close = (server: HttpServer | TcpServer) => new Promise((resolve) => server.close(resolve));

describe('alert webhook targets', () => {
  /** No host allowed: only public https targets. */
  let t: TestServer;
  /** Loopback allowed, as the tests' receivers listen there. */
  let allowed: TestServer;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestServer({ alertRetryBaseMs: 50 });
    allowed = await startTestServer({ alertRetryBaseMs: 50, webhookAllowedHosts: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await Promise.all([t.close(), allowed.close()]);
  });

  /** An organisation whose next event of 11 calls fires a webhook alert. */
  async function organizationWithWebhookRule(server: TestServer) {
    const code = `hook_calls_${++seq}`;
    const org = await planWithOrganization(server.admin, [{ code, unit: 'call', aggregation: 'SUM' }], {
      code: `hook_plan_${seq}`,
      name: code,
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric: code, model: 'PER_UNIT', unitPrice: '0' }],
    });
    await server.admin.data(CreateAlertRuleDocument, {
      input: { organizationId: org, metric: code, thresholdAmount: '10', severity: 'CRITICAL', channels: ['webhook'] },
    });
    return { org, fire: () => record(server.admin, org, [{ id: 'w', metric: code, quantity: '11', timestamp: at(0) }]) };
  }

  const lastError = (server: TestServer, org: string) =>
    waitFor(async () => {
      const [row] = await server.db.query(
        `SELECT d.last_error FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
          WHERE a.organization_id = $1 AND d.channel = 'webhook' AND d.last_error IS NOT NULL`,
        [org],
      );
      return (row as { last_error: string } | undefined)?.last_error;
    });

  const refusal = async (org: string, url: string, server = t) => {
    const res = await server.admin.request(SetAlertWebhookDocument, { organizationId: org, url });
    const extensions = res.errors?.[0]?.extensions;
    return { code: extensions?.code, reason: extensions?.reason, message: res.errors?.[0]?.message ?? '' };
  };

  it('refuses each internal address class when the URL is set, in any spelling', async () => {
    const { org } = await organizationWithWebhookRule(t);
    for (const url of [
      'https://127.0.0.1/hook', // loopback
      'https://[::1]/hook',
      'https://localhost:8443/hook',
      'https://0x7f.1/hook',
      'https://2130706433/hook',
      'https://10.0.0.1/hook', // private
      'https://172.16.5.4/hook',
      'https://192.168.1.1/hook',
      'https://[fc00::1]/hook',
      'https://169.254.10.10/hook', // link-local
      'https://[fe80::1]/hook',
      'https://169.254.169.254/latest/meta-data', // metadata
      'https://[fd00:ec2::254]/',
      'https://0.0.0.0/hook', // unspecified
      'https://[::]/hook',
      'https://224.0.0.1/hook', // multicast
      'https://[ff02::1]/hook',
      'https://[::ffff:127.0.0.1]/hook', // IPv4-mapped
      'https://[::ffff:10.0.0.1]/hook',
      'https://[::ffff:169.254.169.254]/hook',
    ]) {
      expect([url, await refusal(org, url)]).toEqual([
        url,
        expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'INTERNAL_ADDRESS' }),
      ]);
    }
    expect(await refusal(org, 'http://hooks.example.com/a')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'HTTPS_REQUIRED' });
    expect(await refusal(org, 'http://127.0.0.1:9/a')).toMatchObject({ reason: 'HTTPS_REQUIRED' });
    expect(await refusal(org, 'gopher://hooks.example.com/')).toMatchObject({ reason: 'INVALID_URL' });
    const huge = await refusal(org, `https://hooks.example.com/${'x'.repeat(1_000_000)}`);
    expect(huge).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'URL_TOO_LONG' });
    expect(huge.message.length).toBeLessThan(200);
    expect(await refusal(org, `https://hooks.example.com/${'x'.repeat(2048 - 26)}`)).toEqual({
      code: undefined,
      reason: undefined,
      message: '',
    });
    // Nothing refused was stored.
    const [row] = await t.db.query('SELECT alert_webhook_url FROM organizations WHERE id = $1', [org]);
    expect(row.alert_webhook_url).toMatch(/^https:\/\/hooks\.example\.com\/x+$/);
  });

  it('lets a host of WEBHOOK_ALLOWED_HOSTS through, over http, and no other', async () => {
    const { org } = await organizationWithWebhookRule(allowed);
    expect(await refusal(org, 'http://127.0.0.1:9/hook', allowed)).toEqual({ code: undefined, reason: undefined, message: '' });
    expect(await refusal(org, 'https://127.0.0.2/hook', allowed)).toMatchObject({ reason: 'INTERNAL_ADDRESS' });
    expect(await refusal(org, 'http://[::1]:9/hook', allowed)).toMatchObject({ reason: 'HTTPS_REQUIRED' });
  });

  it('checks the target again at delivery: a URL stored before the checks is never connected to', async () => {
    let connections = 0;
    const trap = await listen(createTcpServer((socket) => (connections++, socket.destroy())));
    try {
      const { org, fire } = await organizationWithWebhookRule(t);
      // As an older version of the server stored it, unchecked.
      await t.db.query(`UPDATE organizations SET alert_webhook_url = $2, alert_webhook_secret = 'whsec_x' WHERE id = $1`, [
        org,
        `https://127.0.0.1:${trap.port}/hook`,
      ]);
      await fire();
      expect(await lastError(t, org)).toBe('The target URL points at a loopback address, which is not allowed');
      expect(connections).toBe(0);
    } finally {
      await close(trap);
    }
  });

  it('does not follow redirects', async () => {
    let followed = 0;
    const elsewhere = await listen(createHttpServer((_req, res) => (followed++, res.writeHead(204).end())));
    const redirecting = await listen(
      createHttpServer((req, res) => {
        req.resume();
        res.writeHead(307, { location: `http://127.0.0.1:${elsewhere.port}/landed` }).end();
      }),
    );
    try {
      const { org, fire } = await organizationWithWebhookRule(allowed);
      await allowed.admin.data(SetAlertWebhookDocument, { organizationId: org, url: `http://127.0.0.1:${redirecting.port}/hook` });
      await fire();
      expect(await lastError(allowed, org)).toBe('webhook answered HTTP 307; redirects are not followed');
      const [row] = await allowed.db.query(
        `SELECT d.delivered_at FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.organization_id = $1 AND d.channel = 'webhook'`,
        [org],
      );
      expect(row.delivered_at).toBeNull();
      expect(followed).toBe(0);
    } finally {
      await Promise.all([close(redirecting), close(elsewhere)]);
    }
  });

  it('shows credentials in the URL only to the roles that set it, and keeps them out of the audit log', async () => {
    const { org } = await organizationWithWebhookRule(t);
    const keys = {
      tenantAdmin: await createApiKey(t.admin, org, 'TENANT_ADMIN'),
      billingContact: await createApiKey(t.admin, org, 'BILLING_CONTACT'),
      member: await createApiKey(t.admin, org, 'MEMBER'),
    };
    const url = 'https://ops:pa55word@hooks.example.com/alerts?token=s3cret&channel=billing';
    const { setAlertWebhook } = await t.client(keys.billingContact).data(SetAlertWebhookDocument, { organizationId: org, url });
    expect(setAlertWebhook.url).toBe(url);
    const read = async (key: string) => (await t.client(key).data(AlertWebhookUrlDocument, { id: org })).organization?.alertWebhookUrl;
    expect(await read(t.adminKey)).toBe(url);
    expect(await read(keys.tenantAdmin)).toBe(url);
    expect(await read(keys.billingContact)).toBe(url);
    expect(await read(keys.member)).toBe('https://***@hooks.example.com/alerts?token=***&channel=***');

    const { auditLog } = await t.client(keys.tenantAdmin).data(AuditLogDocument, { organizationId: org, operation: 'setAlertWebhook' });
    const entries = JSON.stringify(auditLog.edges.map((e) => [e.node.arguments, e.node.result]));
    expect(auditLog.edges[0]?.node.arguments).toEqual({
      organizationId: org,
      url: 'https://***@hooks.example.com/alerts?token=***&channel=***',
    });
    for (const secret of ['pa55word', 's3cret', setAlertWebhook.secret]) expect(entries).not.toContain(secret);
  });
});
