import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwilioSmsSender } from '../../src/modules/alert/twilio-sms-sender';
import type { SmsConfig } from '../../src/config';
import {
  AlertSmsRecipientsDocument,
  CreateAlertRuleDocument,
  SetAlertSmsRecipientsDocument,
  type SetAlertSmsRecipientsMutationVariables,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import type { GraphQLClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';
import { waitFor } from '../helpers/wait-for';

const ACCOUNT_SID = `AC${'5'.repeat(32)}`;
const AUTH_TOKEN = 'stand-in-auth-token';
const SENDER = '+15005550006';

interface TextMessage {
  to: string;
  from: string;
  body: string;
}

/**
 * Twilio's Messages resource as a local stand-in: it takes a form-encoded POST to
 * /2010-04-01/Accounts/{sid}/Messages.json with HTTP Basic auth (account SID, auth token),
 * answers 401 to any other credentials and 503 while `failures` is above zero.
 */
class TwilioStandIn {
  readonly messages: TextMessage[] = [];
  failures = 0;
  refused = 0;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const reply = (status: number, body: object) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const expected = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          this.refused++;
          return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
        }
        if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`) {
          return reply(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
        }
        if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
          return reply(400, { code: 21000, message: 'Expected a form', status: 400 });
        }
        if (this.failures > 0) {
          this.failures--;
          return reply(503, { code: 20503, message: 'Service unavailable', status: 503 });
        }
        const form = new URLSearchParams(raw);
        const message = { to: form.get('To') ?? '', from: form.get('From') ?? '', body: form.get('Body') ?? '' };
        this.messages.push(message);
        reply(201, { sid: `SM${String(this.messages.length).padStart(32, '0')}`, status: 'queued', ...message });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  to(number: string): TextMessage[] {
    return this.messages.filter((m) => m.to === number);
  }
}

describe('SMS alerts', () => {
  const twilio = new TwilioStandIn();
  let sms: SmsConfig;
  let t: TestServer;
  let metricSeq = 0;

  beforeAll(async () => {
    await twilio.start();
    sms = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: SENDER, apiBaseUrl: twilio.url };
    t = await startTestServer({ sms, alertRetryBaseMs: 50 });
  });
  afterAll(async () => {
    await t.close();
    await twilio.stop();
  });

  /** A metric with a limit of 100 and an organisation on it, with a tenant admin key. */
  async function limitedOrganization() {
    const code = `sms_calls_${++metricSeq}`;
    const org = await planWithOrganization(t.admin, [{ code, unit: 'call', aggregation: 'SUM' }], {
      code: `plan_${code}`,
      name: code,
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric: code, limit: '100', model: 'PER_UNIT', unitPrice: '0' }],
    });
    return { org, code, tenant: t.client(await createApiKey(t.admin, org, 'TENANT_ADMIN')) };
  }
  const setRecipients = (client: GraphQLClient, variables: SetAlertSmsRecipientsMutationVariables) =>
    client.request(SetAlertSmsRecipientsDocument, variables);
  const smsDeliveries = (org: string): Promise<Array<{ severity: string; target: string; attempts: number; delivered: boolean }>> =>
    t.db.query(
      `SELECT a.severity, d.target, d.attempts, d.delivered_at IS NOT NULL AS delivered
         FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
        WHERE d.organization_id = $1 AND d.channel = 'sms' ORDER BY a.triggered_at, d.target`,
      [org],
    );

  it("texts critical usage alerts (seed 003) to the organisation's numbers through Twilio's Messages API", async () => {
    const { org, code, tenant } = await limitedOrganization();
    const [us, uk] = ['+14155550101', '+447700900101'];
    const set = await setRecipients(tenant, { organizationId: org, phoneNumbers: [us, uk, us] });
    expect(set.data?.setAlertSmsRecipients).toEqual([us, uk]);
    expect((await tenant.data(AlertSmsRecipientsDocument, { id: org })).organization?.alertSmsRecipients).toEqual([us, uk]);
    // Personal numbers: a member may see the organisation, not them.
    const member = t.client(await createApiKey(t.admin, org, 'MEMBER'));
    expect((await member.data(AlertSmsRecipientsDocument, { id: org })).organization?.alertSmsRecipients).toBeNull();

    // 96 of 100: the 80 % WARNING (in-app and email only) and the 95 % CRITICAL (also by SMS) fire.
    await record(t.admin, org, [{ id: 'a', metric: code, quantity: '96', timestamp: at(0) }]);
    const deliveries = await waitFor(async () => {
      const rows = await smsDeliveries(org);
      return rows.length === 2 && rows.every((r) => r.delivered) ? rows : undefined;
    });
    expect(deliveries).toEqual([
      { severity: 'CRITICAL', target: us, attempts: 1, delivered: true },
      { severity: 'CRITICAL', target: uk, attempts: 1, delivered: true },
    ]);
    for (const number of [us, uk]) {
      expect(twilio.to(number)).toEqual([
        { to: number, from: SENDER, body: `[Meterly] CRITICAL: ${code} reached 95% of its limit (96 of 100 call)` },
      ]);
    }
    expect(twilio.refused).toBe(0);
  });

  it('retries while the provider fails, from the same outbox, and takes rules on the sms channel', async () => {
    const { org, code, tenant } = await limitedOrganization();
    const number = '+14155550102';
    await setRecipients(tenant, { organizationId: org, phoneNumbers: [number] });
    await tenant.data(CreateAlertRuleDocument, {
      input: { organizationId: org, metric: code, thresholdAmount: '10', severity: 'INFO', channels: ['sms'] },
    });
    twilio.failures = 2;
    await record(t.admin, org, [{ id: 'a', metric: code, quantity: '12', timestamp: at(0) }]);
    const [delivery] = await waitFor(async () => {
      const rows = await smsDeliveries(org);
      return rows.length === 1 && rows[0]!.delivered ? rows : undefined;
    });
    expect(delivery).toEqual({ severity: 'INFO', target: number, attempts: 3, delivered: true });
    expect(twilio.to(number).map((m) => m.body)).toEqual([`[Meterly] INFO: ${code} reached 10 call (12)`]);
  });

  it('refuses numbers not in E.164, too many of them, and other tenants', async () => {
    const { org, tenant } = await limitedOrganization();
    const { org: other } = await limitedOrganization();
    for (const [phoneNumbers, reason] of [
      [['4155550100'], 'INVALID_PHONE_NUMBER'],
      [['+0123456'], 'INVALID_PHONE_NUMBER'],
      [['+1 415 555 0100'], 'INVALID_PHONE_NUMBER'],
      [['+1234567890123456'], 'INVALID_PHONE_NUMBER'],
      [Array.from({ length: 11 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`), 'TOO_MANY_RECIPIENTS'],
    ] as const) {
      const res = await setRecipients(tenant, { organizationId: org, phoneNumbers: [...phoneNumbers] });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    }
    expect(await tenant.errorCode(SetAlertSmsRecipientsDocument, { organizationId: other, phoneNumbers: ['+14155550103'] })).toBe(
      'FORBIDDEN',
    );
    const member = t.client(await createApiKey(t.admin, org, 'MEMBER'));
    expect(await member.errorCode(SetAlertSmsRecipientsDocument, { organizationId: org, phoneNumbers: [] })).toBe('FORBIDDEN');
    expect(await tenant.errorCode(AlertSmsRecipientsDocument, { id: other })).toBe('FORBIDDEN');
    expect((await tenant.data(AlertSmsRecipientsDocument, { id: org })).organization?.alertSmsRecipients).toEqual([]);
  });

  it('refuses the sms channel and SMS recipients, with a clear reason, on a server without SMS settings', async () => {
    const { org, code } = await limitedOrganization();
    const plain = await startTestServer({}, t);
    try {
      const rule = await plain.admin.request(CreateAlertRuleDocument, {
        input: { organizationId: org, metric: code, thresholdAmount: '10', severity: 'CRITICAL', channels: ['email', 'sms'] },
      });
      expect(rule.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SMS_NOT_CONFIGURED' });
      expect(rule.errors?.[0]?.message).toContain('SMS_ACCOUNT_SID');
      const set = await setRecipients(plain.admin, { organizationId: org, phoneNumbers: ['+14155550104'] });
      expect(set.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SMS_NOT_CONFIGURED' });
      // Clearing them is always allowed.
      expect(
        (await plain.admin.data(SetAlertSmsRecipientsDocument, { organizationId: org, phoneNumbers: [] })).setAlertSmsRecipients,
      ).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it("signs with the account's credentials: the provider refuses another token", async () => {
    const wrong = new TwilioSmsSender({ ...sms, authToken: 'not-the-token' });
    await expect(wrong.send('+14155550105', 'hello')).rejects.toThrow('Authenticate');
    expect(twilio.refused).toBe(1);
    expect(twilio.to('+14155550105')).toEqual([]);
  });
});
