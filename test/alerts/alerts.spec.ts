import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import {
  AcknowledgeAlertDocument,
  AdvanceTestClockDocument,
  AlertRulesDocument,
  AlertTriggeredDocument,
  AlertsDocument,
  CloseBillingPeriodDocument,
  CreateAlertRuleDocument,
  CreateOrganizationDocument,
  DeleteAlertRuleDocument,
  RecordUsageDocument,
  SetAlertWebhookDocument,
  SetBillingContactDocument,
  type CreateAlertRuleInput,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { freePort } from '../helpers/free-port';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait-for';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';
import { openWsClient, wsSubscribe } from '../helpers/ws-client';

describe('alerts', () => {
  let t: TestServer;
  let smtp: SMTPServer;
  const mails: Array<{ to: string; body: string }> = [];
  let metricSeq = 0;

  beforeAll(async () => {
    const smtpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        let body = '';
        stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    // The webhook receivers of these tests listen on loopback, which only an allowed host may reach.
    t = await startTestServer({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, alertRetryBaseMs: 50, webhookAllowedHosts: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.close(resolve));
  });

  /** A fresh metric with a limit of 100 (soft, $1 a unit) and an organisation on it, with a $10 budget. */
  async function limitedOrganization(options: { budget?: string } = {}) {
    const code = `calls_${++metricSeq}`;
    const org = await planWithOrganization(t.admin, [{ code, unit: 'call', aggregation: 'SUM' }], {
      code: `plan_${code}`,
      name: code,
      currency: 'USD',
      basePrice: '0',
      monthlyBudget: options.budget ?? '1000',
      charges: [{ metric: code, limit: '100', model: 'PER_UNIT', unitPrice: options.budget ? '1' : '0' }],
    });
    return { org, code };
  }
  const alertsOf = async (org: string) => (await t.admin.data(AlertsDocument, { organizationId: org, first: 100 })).alerts;
  const summary = async (org: string) =>
    (await alertsOf(org)).edges.map((e) => [e.node.kind, e.node.severity, e.node.threshold, e.node.value]).reverse();
  /** The statements that write alerts, their outbox rows or their NOTIFY, sent by the server while `run` runs. */
  async function alertWritesDuring(run: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(t.db.logger, 'logQuery');
    try {
      await run();
      return spy.mock.calls.map(([query]) => query).filter((query) => /INSERT INTO alert|pg_notify/.test(query));
    } finally {
      spy.mockRestore();
    }
  }

  it('gives every organisation the default rules: usage 80/95/100 %, budget 50/80/95 %', async () => {
    const { org } = await limitedOrganization();
    const { alertRules } = await t.admin.data(AlertRulesDocument, { organizationId: org });
    expect(alertRules.map((r) => [r.thresholdPercent, r.severity, r.metric, r.isDefault])).toEqual([
      ['80', 'WARNING', null, true],
      ['95', 'CRITICAL', null, true],
      ['100', 'CRITICAL', null, true],
      ['50', 'INFO', null, true],
      ['80', 'WARNING', null, true],
      ['95', 'CRITICAL', null, true],
    ]);
  });

  it('fires each usage threshold once as events cross it one by one', async () => {
    const { org, code } = await limitedOrganization();
    await record(t.admin, org, [{ id: 'a', metric: code, quantity: '79', timestamp: at(0) }]);
    expect(await summary(org)).toEqual([]);
    await record(t.admin, org, [{ id: 'b', metric: code, quantity: '1', timestamp: at(1) }]);
    await record(t.admin, org, [{ id: 'c', metric: code, quantity: '1', timestamp: at(2) }]);
    await record(t.admin, org, [{ id: 'd', metric: code, quantity: '15', timestamp: at(3) }]);
    await record(t.admin, org, [{ id: 'e', metric: code, quantity: '4', timestamp: at(4) }]);
    await record(t.admin, org, [{ id: 'f', metric: code, quantity: '30', timestamp: at(5) }]);
    expect(await summary(org)).toEqual([
      ['usage', 'WARNING', '80', '80'],
      ['usage', 'CRITICAL', '95', '96'],
      ['usage', 'CRITICAL', '100', '100'],
    ]);
    const [latest] = (await alertsOf(org)).edges;
    expect(latest!.node).toMatchObject({ metric: code, message: `${code} reached 100% of its limit (100 of 100 call)` });
  });

  it('fires every threshold a single batch jumps past, each once', async () => {
    const { org, code } = await limitedOrganization();
    await record(t.admin, org, [
      { id: 'a', metric: code, quantity: '50', timestamp: at(0) },
      { id: 'b', metric: code, quantity: '70', timestamp: at(1) },
    ]);
    expect((await summary(org)).map((a) => a[2])).toEqual(['80', '95', '100']);
  });

  it('fires budget thresholds at 50, 80 and 95 % of the monthly budget', async () => {
    const { org, code } = await limitedOrganization({ budget: '10' });
    for (const [id, quantity] of [
      ['a', '5'],
      ['b', '3'],
      ['c', '1'],
      ['d', '0.5'],
    ] as const) {
      await record(t.admin, org, [{ id, metric: code, quantity, timestamp: at(0) }]);
    }
    expect((await summary(org)).filter((a) => a[0] === 'cost')).toEqual([
      ['cost', 'INFO', '5', '5'],
      ['cost', 'WARNING', '8', '8'],
      ['cost', 'CRITICAL', '9.5', '9.5'],
    ]);
  });

  it('fires again in the next period, once limits and marks have reset', async () => {
    const { org, code } = await limitedOrganization();
    await record(t.admin, org, [{ id: 'march', metric: code, quantity: '85', timestamp: at(0) }]);
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-02T00:00:00Z' });
    await record(t.admin, org, [{ id: 'april', metric: code, quantity: '85', timestamp: '2026-04-02T00:00:00Z' }]);
    const usage = (await alertsOf(org)).edges.map((e) => e.node).filter((a) => a.kind === 'usage');
    expect(usage.map((a) => [a.threshold, a.triggeredAt.slice(0, 7)])).toEqual([
      ['80', '2026-04'],
      ['80', '2026-03'],
    ]);
  });

  it('fires once when two server processes see the crossing at the same moment', async () => {
    const { org, code } = await limitedOrganization();
    const other = await startTestServer({}, t);
    try {
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          record(i % 2 ? other.admin : t.admin, org, [{ id: `p${i}`, metric: code, quantity: '20', timestamp: at(i) }]),
        ),
      );
    } finally {
      await other.close();
    }
    expect((await summary(org)).map((a) => a[2])).toEqual(['80', '95', '100']);
  });

  it('writes a crossed threshold with the batch that crossed it, and nothing with later batches of the period', async () => {
    const { org, code } = await limitedOrganization();
    await t.admin.data(CreateAlertRuleDocument, {
      input: { organizationId: org, metric: code, thresholdAmount: '10', team: 'ml', severity: 'INFO' },
    });
    await record(t.admin, org, [{ id: 'a', metric: code, quantity: '85', team: 'ml', timestamp: at(0) }]);
    const later = await alertWritesDuring(async () => {
      for (const i of [1, 2, 3]) await record(t.admin, org, [{ id: `b${i}`, metric: code, quantity: '1', team: 'ml', timestamp: at(i) }]);
    });
    expect(later).toEqual([]);
    const crossing = await alertWritesDuring(() =>
      record(t.admin, org, [{ id: 'c', metric: code, quantity: '7', team: 'ml', timestamp: at(4) }]),
    );
    expect(crossing).toHaveLength(1);
    expect(await summary(org)).toEqual([
      ['usage', 'WARNING', '80', '85'],
      ['usage', 'INFO', '10', '85'],
      ['usage', 'CRITICAL', '95', '95'],
    ]);
  });

  it('fires rules created while usage is already past their thresholds with the next batch, then writes nothing more', async () => {
    const { org, code } = await limitedOrganization({ budget: '1000' });
    await record(t.admin, org, [{ id: 'a', metric: code, quantity: '50', team: 'ml', timestamp: at(0) }]);
    const rule = (input: Record<string, unknown>) =>
      t.admin.data(CreateAlertRuleDocument, { input: { organizationId: org, severity: 'INFO', ...input } });
    await rule({ metric: code, thresholdAmount: '30' });
    await rule({ metric: code, thresholdAmount: '10', team: 'ml' });
    await rule({ thresholdAmount: '20', window: 'HOUR' });
    await rule({ thresholdAmount: '40' });
    expect(await summary(org)).toEqual([]);
    await record(t.admin, org, [{ id: 'b', metric: code, quantity: '1', team: 'ml', timestamp: at(1) }]);
    expect((await alertsOf(org)).edges.map((e) => e.node.message).sort()).toEqual(
      [
        `${code} reached 30 call (51)`,
        `${code} for team ml reached 10 call (51)`,
        'Spend this hour reached 51 USD, past the limit of 20 USD',
        'Spend this period reached 40 USD (51 USD)',
      ].sort(),
    );
    const later = await alertWritesDuring(() =>
      record(t.admin, org, [{ id: 'c', metric: code, quantity: '1', team: 'ml', timestamp: at(2) }]),
    );
    expect(later).toEqual([]);
    expect((await alertsOf(org)).totalCount).toBe(4);
  });

  it('writes a crossing once when its batch fails after writing the alert and is retried', async () => {
    const { org, code } = await limitedOrganization();
    let crash = true;
    // Runs after the alerts listener, in the same transaction: the alert is written, then rolled back with the usage.
    t.server.services.usageIngest.addListener({
      afterIngest: async (_tx, batch) => {
        if (batch.organizationId !== org || !crash) return;
        crash = false;
        throw new Error('crashed before commit');
      },
    });
    const events = [{ id: 'x', metric: code, quantity: '85', timestamp: at(0) }];
    const failed = await alertWritesDuring(async () =>
      expect(await t.admin.errorCode(RecordUsageDocument, { input: { organizationId: org, events } })).toBe('INTERNAL_SERVER_ERROR'),
    );
    expect(failed).toContainEqual(expect.stringContaining('INSERT INTO alerts'));
    expect(await summary(org)).toEqual([]);
    // The failed batch left its alert's key unknown to this node: the retry writes the alert again.
    const retried = await alertWritesDuring(() => record(t.admin, org, events));
    expect(retried).toContainEqual(expect.stringContaining('INSERT INTO alerts'));
    expect((await record(t.admin, org, events)).duplicates).toBe(1);
    await record(t.admin, org, [{ id: 'y', metric: code, quantity: '1', timestamp: at(1) }]);
    expect(await summary(org)).toEqual([['usage', 'WARNING', '80', '85']]);
  });

  it("writes a crossing's alert, outbox deliveries and NOTIFY in one statement", async () => {
    const { org, code } = await limitedOrganization();
    await t.admin.data(SetBillingContactDocument, { organizationId: org, email: 'ops@one-statement.example' });
    const ws = openWsClient(t.server.wsUrl, await createApiKey(t.admin, org, 'MEMBER'));
    try {
      const sub = wsSubscribe(ws, AlertTriggeredDocument, { organizationId: org });
      await new Promise((r) => setTimeout(r, 100));
      const writes = await alertWritesDuring(() => record(t.admin, org, [{ id: 'one', metric: code, quantity: '96', timestamp: at(0) }]));
      expect(writes).toEqual([expect.stringMatching(/INSERT INTO alerts[\s\S]*INSERT INTO alert_deliveries[\s\S]*pg_notify/)]);
      const deliveries = await t.db.query(
        `SELECT a.threshold::text AS threshold, d.channel, d.target FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
          WHERE a.organization_id = $1 ORDER BY a.seq`,
        [org],
      );
      expect(deliveries).toEqual(['80', '95'].map((threshold) => ({ threshold, channel: 'email', target: 'ops@one-statement.example' })));
      const pushed = [await sub.next(), await sub.next()].map((p) => p.data?.alertTriggered.threshold);
      expect(pushed.sort()).toEqual(['80', '95']);
    } finally {
      await ws.dispose();
    }
  });

  it('measures late events of a still open period in that period, and in their own hour', async () => {
    const { org, code } = await limitedOrganization({ budget: '1000' });
    const rule = (input: Record<string, unknown>) =>
      t.admin.data(CreateAlertRuleDocument, { input: { organizationId: org, severity: 'WARNING', ...input } });
    await rule({ metric: code, thresholdAmount: '10', team: 'ml' });
    await rule({ thresholdAmount: '9', window: 'HOUR' });
    await record(t.admin, org, [{ id: 'march', metric: code, quantity: '8', team: 'ml', timestamp: at(0) }]);
    // April has begun on the clock, and March is not closed yet: its late events are still recorded.
    await t.db.query(`UPDATE organizations SET test_clock_at = $2 WHERE id = $1`, [org, '2026-04-01T02:00:00Z']);
    await record(t.admin, org, [{ id: 'april', metric: code, quantity: '15', team: 'ml', timestamp: '2026-04-01T02:00:00Z' }]);
    // March for team ml: 9, below 10 (April's 15 is no part of it).
    await record(t.admin, org, [{ id: 'late1', metric: code, quantity: '1', team: 'ml', timestamp: '2026-03-31T23:00:00Z' }]);
    await record(t.admin, org, [
      { id: 'late2', metric: code, quantity: '2', team: 'ml', timestamp: '2026-03-31T23:10:00Z' },
      { id: 'late3', metric: code, quantity: '7', team: 'web', timestamp: '2026-03-31T23:20:00Z' },
      { id: 'april2', metric: code, quantity: '1', team: 'ml', timestamp: '2026-04-01T02:05:00Z' },
    ]);
    const fired: Array<{ window: string; value: string; message: string }> = await t.db.query(
      `SELECT right(dedup_key, 24) AS window, value::text AS value, message FROM alerts WHERE organization_id = $1 ORDER BY seq`,
      [org],
    );
    expect(fired).toEqual([
      { window: '2026-04-01T00:00:00.000Z', value: '15', message: `${code} for team ml reached 10 call (15)` },
      { window: '2026-04-01T02:00:00.000Z', value: '15', message: 'Spend this hour reached 15 USD, past the limit of 9 USD' },
      { window: '2026-03-01T00:00:00.000Z', value: '11', message: `${code} for team ml reached 10 call (11)` },
      { window: '2026-03-31T23:00:00.000Z', value: '10', message: 'Spend this hour reached 10 USD, past the limit of 9 USD' },
    ]);
  });

  it('supports absolute, team-scoped and hourly spend rules, and refuses bad ones', async () => {
    const { org, code } = await limitedOrganization({ budget: '60' });
    const rule = (input: Record<string, unknown>) =>
      t.admin.data(CreateAlertRuleDocument, { input: { organizationId: org, severity: 'WARNING', ...input } });
    await rule({ metric: code, thresholdAmount: '30' });
    await rule({ metric: code, thresholdAmount: '10', team: 'ml' });
    await rule({ thresholdAmount: '4', window: 'HOUR', channels: ['webhook'] });
    await record(t.admin, org, [
      // In the clock's current hour (12:00), for the hourly spend rule.
      { id: 'a', metric: code, quantity: '12', team: 'ml', timestamp: at(360) },
      { id: 'b', metric: code, quantity: '20', team: 'web', timestamp: at(361) },
    ]);
    const fired = (await alertsOf(org)).edges.map((e) => e.node.message).sort();
    expect(fired).toEqual(
      [
        `${code} for team ml reached 10 call (12)`,
        `${code} reached 30 call (32)`,
        'Spend this hour reached 32 USD, past the limit of 4 USD',
        'Spend this period reached 50% of the 60 USD budget (32 USD)',
      ].sort(),
    );
    for (const input of [
      { thresholdPercent: 50, thresholdAmount: '5' },
      {},
      { metric: 'nope', thresholdPercent: 50 },
      { thresholdPercent: 50, channels: ['sms'] },
      { thresholdPercent: 50, window: 'DAY' as const },
      { thresholdPercent: -5 },
    ]) {
      expect(await t.admin.errorCode(CreateAlertRuleDocument, { input: { organizationId: org, severity: 'INFO', ...input } })).toBe(
        'BAD_USER_INPUT',
      );
    }
  });

  it('refuses an invalid team or project key with its own reason', async () => {
    const { org } = await limitedOrganization();
    for (const scope of [{ team: 'not a key!' }, { project: 'x'.repeat(500) }]) {
      const res = await t.admin.request(CreateAlertRuleDocument, {
        input: { organizationId: org, severity: 'INFO', thresholdPercent: 50, ...scope },
      });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_KEY' });
    }
  });

  it('takes the percent as an exact Decimal (thresholdPercentage) and checks channels, sent as strings, against AlertChannel', async () => {
    const { org } = await limitedOrganization();
    const create = (input: Omit<CreateAlertRuleInput, 'organizationId' | 'severity'>) =>
      t.admin.request(CreateAlertRuleDocument, { input: { organizationId: org, severity: 'INFO', ...input } });
    const exact = await create({ thresholdPercentage: '33.333333333333', channels: ['email'] });
    expect(exact.data?.createAlertRule).toMatchObject({ thresholdPercent: '33.333333333333', channels: ['in_app', 'email'] });
    const cases: Array<[Omit<CreateAlertRuleInput, 'organizationId' | 'severity'>, string]> = [
      [{ thresholdPercentage: '50', thresholdPercent: 50 }, 'INVALID_THRESHOLD'],
      [{ thresholdPercentage: '50', thresholdAmount: '5' }, 'INVALID_THRESHOLD'],
      [{ thresholdPercentage: '0' }, 'INVALID_THRESHOLD'],
      [{ thresholdPercentage: '1000.5' }, 'INVALID_THRESHOLD'],
      [{ thresholdPercentage: '12.1234567890123' }, 'OUT_OF_RANGE'],
      [{ thresholdPercentage: 'half' }, 'INVALID_ARGUMENT'],
      [{ thresholdPercentage: '50', channels: [''] }, 'INVALID_CHANNEL'],
      [{ thresholdPercentage: '50', channels: ['IN_APP'] }, 'INVALID_CHANNEL'],
    ];
    for (const [input, reason] of cases) {
      expect((await create(input)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    }
  });

  it("answers NOT_FOUND for another organisation's alert or rule, as for an id that does not exist", async () => {
    const { org } = await limitedOrganization();
    const { org: other, code } = await limitedOrganization();
    await record(t.admin, other, [{ id: 'n', metric: code, quantity: '90', timestamp: at(0) }]);
    const [alertId, ruleId] = [
      (await alertsOf(other)).edges[0]!.node.id,
      (await t.admin.data(AlertRulesDocument, { organizationId: other })).alertRules[0]!.id,
    ];
    const random = '00000000-0000-4000-8000-000000000000';
    for (const role of ['TENANT_ADMIN', 'BILLING_CONTACT'] as const) {
      const mine = t.client(await createApiKey(t.admin, org, role));
      for (const id of [alertId, random]) {
        const res = await mine.request(AcknowledgeAlertDocument, { id });
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
      }
      for (const id of [ruleId, random]) {
        const res = await mine.request(DeleteAlertRuleDocument, { id });
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
      }
    }
    // A role that may not manage alerts at all is told so, whatever the id.
    const member = t.client(await createApiKey(t.admin, org, 'MEMBER'));
    expect(await member.errorCode(DeleteAlertRuleDocument, { id: random })).toBe('FORBIDDEN');
    // Nothing of the other organisation changed.
    expect((await alertsOf(other)).edges[0]!.node.acknowledgedAt).toBeNull();
    expect((await t.admin.data(AlertRulesDocument, { organizationId: other })).alertRules.map((r) => r.id)).toContain(ruleId);
  });

  it('pushes alerts to subscribers of the organisation, and only to them', async () => {
    const { org, code } = await limitedOrganization();
    const { org: other } = await limitedOrganization();
    const mine = openWsClient(t.server.wsUrl, await createApiKey(t.admin, org, 'MEMBER'));
    const theirs = openWsClient(t.server.wsUrl, await createApiKey(t.admin, other, 'MEMBER'));
    try {
      const sub = wsSubscribe(mine, AlertTriggeredDocument, { organizationId: org });
      const otherSub = wsSubscribe(theirs, AlertTriggeredDocument, { organizationId: other });
      await new Promise((r) => setTimeout(r, 100));
      await record(t.admin, org, [{ id: 'x', metric: code, quantity: '81', timestamp: at(0) }]);
      const pushed = await sub.next();
      expect(pushed.data?.alertTriggered).toMatchObject({ organizationId: org, severity: 'WARNING', threshold: '80', value: '81' });
      await new Promise((r) => setTimeout(r, 300));
      expect(otherSub.pending()).toBe(0);
    } finally {
      await Promise.all([mine.dispose(), theirs.dispose()]);
    }
  });

  it('emails the billing contacts through SMTP', async () => {
    const { org, code } = await limitedOrganization();
    await t.admin.data(SetBillingContactDocument, { organizationId: org, email: 'finance@acme.example' });
    await record(t.admin, org, [{ id: 'm', metric: code, quantity: '90', timestamp: at(0) }]);
    const mail = await waitFor(() => mails.find((m) => m.to === 'finance@acme.example'));
    expect(mail.body).toContain(`Subject: [Meterly] WARNING: ${code} reached 80% of its limit`);
  });

  it('posts a signed webhook, retrying from the outbox while the receiver is down', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    let failures = 2;
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failures-- > 0) {
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { org, code } = await limitedOrganization();
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const { setAlertWebhook } = await t.admin.data(SetAlertWebhookDocument, { organizationId: org, url });
      await t.admin.data(CreateAlertRuleDocument, {
        input: { organizationId: org, metric: code, thresholdAmount: '10', severity: 'CRITICAL', channels: ['webhook'] },
      });
      await record(t.admin, org, [{ id: 'w', metric: code, quantity: '11', timestamp: at(0) }]);
      const delivery = await waitFor(() => received[0]);
      const [, timestamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery.headers['meterly-signature']))!;
      const expected = createHmac('sha256', setAlertWebhook.secret).update(`${timestamp}.${delivery.body}`).digest('hex');
      expect(signature).toBe(expected);
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: 'alert.usage',
        organizationId: org,
        severity: 'CRITICAL',
        threshold: '10',
        value: '11',
      });
      // The receiver has the body before the worker hears its 204 and records the delivery: wait for that record.
      const row = await waitFor(async () => {
        const [found] = await t.db.query(
          `SELECT attempts, delivered_at FROM alert_deliveries WHERE channel = 'webhook' AND target = $1 AND delivered_at IS NOT NULL`,
          [url],
        );
        return found as { attempts: number; delivered_at: Date | null } | undefined;
      });
      expect(row.attempts).toBe(3);
      expect(row.delivered_at).not.toBeNull();
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('sends a webhook still in the outbox to the URL and secret set since', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { org, code } = await limitedOrganization();
      // Nothing listens there: the first attempts fail and the delivery waits in the outbox.
      await t.admin.data(SetAlertWebhookDocument, { organizationId: org, url: `http://127.0.0.1:${await freePort()}/gone` });
      await t.admin.data(CreateAlertRuleDocument, {
        input: { organizationId: org, metric: code, thresholdAmount: '10', severity: 'CRITICAL', channels: ['webhook'] },
      });
      await record(t.admin, org, [{ id: 'r', metric: code, quantity: '11', timestamp: at(0) }]);
      await waitFor(async () => {
        const [row] = await t.db.query(
          `SELECT d.attempts FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.organization_id = $1 AND d.channel = 'webhook'`,
          [org],
        );
        return row?.attempts >= 1 ? row : undefined;
      });
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const { setAlertWebhook } = await t.admin.data(SetAlertWebhookDocument, { organizationId: org, url });
      const delivery = await waitFor(() => received[0]);
      const [, timestamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery.headers['meterly-signature']))!;
      expect(signature).toBe(createHmac('sha256', setAlertWebhook.secret).update(`${timestamp}.${delivery.body}`).digest('hex'));
      expect(JSON.parse(delivery.body)).toMatchObject({ organizationId: org, threshold: '10' });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('pages newest first, filters by severity and acknowledgement, and acknowledges', async () => {
    const { org, code } = await limitedOrganization();
    await record(t.admin, org, [{ id: 'a', metric: code, quantity: '100', timestamp: at(0) }]);
    const page = (await t.admin.data(AlertsDocument, { organizationId: org, first: 2 })).alerts;
    expect([page.totalCount, page.pageInfo.hasNextPage, page.edges.length]).toEqual([3, true, 2]);
    const rest = (await t.admin.data(AlertsDocument, { organizationId: org, first: 2, after: page.pageInfo.endCursor })).alerts;
    expect(rest.edges).toHaveLength(1);
    const critical = (await t.admin.data(AlertsDocument, { organizationId: org, severity: 'CRITICAL' })).alerts;
    expect(critical.totalCount).toBe(2);
    const billing = t.client(await createApiKey(t.admin, org, 'BILLING_CONTACT'));
    const { acknowledgeAlert } = await billing.data(AcknowledgeAlertDocument, { id: page.edges[0]!.node.id });
    expect(acknowledgeAlert.acknowledgedAt).toBe('2026-03-10T12:00:00.000Z');
    expect((await t.admin.data(AlertsDocument, { organizationId: org, acknowledged: false })).alerts.totalCount).toBe(2);
    const member = t.client(await createApiKey(t.admin, org, 'MEMBER'));
    expect(await member.errorCode(AcknowledgeAlertDocument, { id: page.edges[1]!.node.id })).toBe('FORBIDDEN');
  });

  it('warns when the forecast crosses the budget (projected overage), once per period', async () => {
    const { org, code } = await limitedOrganization({ budget: '50' });
    await t.admin.data(CreateAlertRuleDocument, {
      input: { organizationId: org, thresholdPercent: 100, window: 'FORECAST', severity: 'CRITICAL' },
    });
    // $2 a day since 1 March: $20 so far, about $62 projected by 31 March.
    await record(
      t.admin,
      org,
      Array.from({ length: 9 }, (_, i) => ({ id: `d${i}`, metric: code, quantity: '2', timestamp: `2026-03-0${i + 1}T12:00:00Z` })),
    );
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-03-10T13:00:00Z' });
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-03-10T14:00:00Z' });
    const forecastAlerts = (await alertsOf(org)).edges.map((e) => e.node).filter((a) => a.kind === 'forecast');
    expect(forecastAlerts).toHaveLength(1);
    expect(forecastAlerts[0]).toMatchObject({ severity: 'CRITICAL', threshold: '50' });
    expect(Number(forecastAlerts[0]!.value)).toBeGreaterThan(50);
    expect(
      await t.admin.errorCode(CreateAlertRuleDocument, {
        input: { organizationId: org, metric: code, thresholdPercent: 100, window: 'FORECAST', severity: 'INFO' },
      }),
    ).toBe('BAD_USER_INPUT');
  });

  it('raises an alert when an invoice goes overdue', async () => {
    const org = await planWithOrganization(t.admin, [], { code: 'fee_only', name: 'Fee', currency: 'USD', basePrice: '5', charges: [] });
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-03T00:00:00Z' });
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-04T00:00:00Z' });
    const overdue = (await alertsOf(org)).edges.map((e) => e.node).filter((a) => a.kind === 'invoice_overdue');
    expect(overdue).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        value: '5.00',
        message: expect.stringMatching(/^Invoice [0-9A-F]{8}-0001 is overdue: 5.00 USD unpaid$/),
      }),
    ]);
  });

  it('raises the overdue alerts of a run over many organisations at once, each at its own clock, once', async () => {
    const plan = { code: 'fee_only_many', name: 'Fee', currency: 'USD', basePrice: '7', charges: [] };
    const first = await planWithOrganization(t.admin, [], plan, '2031-05-10T00:00:00Z');
    const { createOrganization } = await t.admin.data(CreateOrganizationDocument, {
      input: { name: 'second', planCode: 'fee_only_many', testClock: '2031-05-10T00:00:00Z' },
    });
    const second = createOrganization.id;
    await t.db.query(`UPDATE organizations SET test_clock_at = $2 WHERE id = $1`, [first, '2031-06-03T00:00:00Z']);
    await t.db.query(`UPDATE organizations SET test_clock_at = $2 WHERE id = $1`, [second, '2031-06-05T00:00:00Z']);
    for (let run = 0; run < 2; run++) await t.admin.data(CloseBillingPeriodDocument, { input: {} });
    for (const [org, clock] of [
      [first, '2031-06-03T00:00:00.000Z'],
      [second, '2031-06-05T00:00:00.000Z'],
    ] as const) {
      const overdue = (await alertsOf(org)).edges.map((e) => e.node).filter((a) => a.kind === 'invoice_overdue');
      expect(overdue).toEqual([
        expect.objectContaining({
          value: '7.00',
          triggeredAt: clock,
          message: expect.stringMatching(/^Invoice [0-9A-F]{8}-0001 is overdue/),
        }),
      ]);
    }
  });
});
