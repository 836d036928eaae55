import { CreateOrganizationDocument, UsageUpdatedDocument } from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { GraphQLClient } from '../helpers/graphql-client';
import { startTwoNodes } from '../helpers/server-process';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';
import { openWsClient, wsSubscribe } from '../helpers/ws-client';

const METRICS = [{ code: 'live_calls', unit: 'call', aggregation: 'SUM' as const }];
const PLAN = (code: string) => ({
  code,
  name: code,
  currency: 'USD',
  basePrice: '0',
  charges: [{ metric: 'live_calls', model: 'PER_UNIT' as const, unitPrice: '0.5', limit: '1000' }],
});
const usedOf = (result: { data?: { usageUpdated: { metrics: Array<{ metric: string; used: string }> } } | null }) =>
  result.data?.usageUpdated.metrics.find((m) => m.metric === 'live_calls')?.used;

async function counter(t: TestServer, name: string): Promise<number> {
  const text = await (await fetch(t.server.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

describe('live usage (usageUpdated)', () => {
  let t: TestServer;
  let org: string;
  let other: string;
  let memberKey: string;

  beforeAll(async () => {
    t = await startTestServer();
    org = await planWithOrganization(t.admin, METRICS, PLAN('live'));
    const { createOrganization } = await t.admin.data(CreateOrganizationDocument, {
      input: { name: 'other', planCode: 'live', testClock: '2026-03-10T12:00:00Z' },
    });
    other = createOrganization.id;
    memberKey = await createApiKey(t.admin, org, 'MEMBER');
  });
  afterAll(() => t.close());

  it('sends the current report, then a fresh one after usage is recorded', async () => {
    const ws = openWsClient(t.server.wsUrl, memberKey);
    try {
      const sub = wsSubscribe(ws, UsageUpdatedDocument, { organizationId: org });
      expect(usedOf(await sub.next())).toBe('0');
      await record(t.admin, org, [{ id: 'l1', metric: 'live_calls', quantity: '3', timestamp: at(0) }]);
      const update = await sub.next();
      expect(usedOf(update)).toBe('3');
      expect(update.data?.usageUpdated.metrics[0]).toMatchObject({
        limit: '1000',
        percentage: 0.3,
        cost: { amount: '1.50', currency: 'USD' },
      });
    } finally {
      await ws.dispose();
    }
  });

  it('coalesces a burst, ends on the full total, and computes each report once for all subscribers', async () => {
    const sockets = [
      openWsClient(t.server.wsUrl, memberKey),
      openWsClient(t.server.wsUrl, memberKey),
      openWsClient(t.server.wsUrl, t.adminKey),
    ];
    try {
      const subs = sockets.map((ws) => wsSubscribe(ws, UsageUpdatedDocument, { organizationId: org }));
      for (const sub of subs) expect(usedOf(await sub.next())).toBe('3');
      const reportsBefore = await counter(t, 'meterly_live_usage_reports_total');
      const messagesBefore = await counter(t, 'meterly_live_usage_messages_total');

      for (let i = 0; i < 20; i++) await record(t.admin, org, [{ id: `burst-${i}`, metric: 'live_calls', timestamp: at(1) }]);
      const seen: string[][] = [];
      for (const sub of subs) {
        const values: string[] = [];
        while (values.at(-1) !== '23') values.push(usedOf(await sub.next())!);
        seen.push(values);
      }
      // Every subscriber saw the same sequence, ending at the total, in fewer messages than commits.
      expect(seen[1]).toEqual(seen[0]);
      expect(seen[2]).toEqual(seen[0]);
      expect(seen[0]!.length).toBeLessThan(20);
      const reports = (await counter(t, 'meterly_live_usage_reports_total')) - reportsBefore;
      expect(reports).toBe(seen[0]!.length);
      expect((await counter(t, 'meterly_live_usage_messages_total')) - messagesBefore).toBe(3 * reports);
    } finally {
      await Promise.all(sockets.map((ws) => ws.dispose()));
    }
  });

  it("never pushes another organisation's usage", async () => {
    const ws = openWsClient(t.server.wsUrl, memberKey);
    try {
      const sub = wsSubscribe(ws, UsageUpdatedDocument, { organizationId: org });
      await sub.next();
      // A report of the previous test's burst may still be on its way (coalesced, 100 ms): let it arrive and drop it,
      // so that what follows B's event can only be a push caused by it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      while (sub.pending() > 0) await sub.next();
      await record(t.admin, other, [{ id: 'o1', metric: 'live_calls', quantity: '50', timestamp: at(0) }]);
      await record(t.admin, org, [{ id: 'marker', metric: 'live_calls', timestamp: at(2) }]);
      // The next message is A's own change; B's was never sent to A.
      expect(usedOf(await sub.next())).toBe('24');
      expect(sub.pending()).toBe(0);
    } finally {
      await ws.dispose();
    }
  });
});

describe('live usage across server processes', () => {
  it('pushes an event recorded on one process to a subscriber of the other (LISTEN/NOTIFY)', async () => {
    const adminKey = 'mtr_cross-process-admin-key-000000000000';
    const {
      database,
      nodes: [one, two],
    } = await startTwoNodes(adminKey);
    const ws = openWsClient(two.wsUrl, adminKey);
    try {
      const admin = new GraphQLClient(one.url, adminKey);
      const orgId = await planWithOrganization(admin, METRICS, PLAN('cross'));
      const sub = wsSubscribe(ws, UsageUpdatedDocument, { organizationId: orgId });
      expect(usedOf(await sub.next())).toBe('0');
      await record(admin, orgId, [{ id: 'x1', metric: 'live_calls', quantity: '7', timestamp: at(0) }]);
      expect(usedOf(await sub.next())).toBe('7');
    } finally {
      await ws.dispose();
      expect(await one.stop()).toBe(0);
      expect(await two.stop()).toBe(0);
      await database.drop();
    }
  }, 60_000);
});
