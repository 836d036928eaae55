import { AlertTriggeredDocument, AlertsDocument } from '../generated/graphql';
import { alertingOrganization } from '../helpers/alert-fixtures';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { openWsClient, wsSubscribe } from '../helpers/ws-client';

const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** `alertTriggered(after)`: the alerts after a cursor, then the live ones, with no gap and no duplicate. */
describe('resuming alertTriggered', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  /** The organisation's alerts oldest first, with their cursors. */
  const alertsOf = async (organizationId: string) =>
    (await t.admin.data(AlertsDocument, { organizationId, first: 100 })).alerts.edges.slice().reverse();

  /** A subscription on a fresh socket of a member key; `values` reads the next `n` alerts' values. */
  async function subscribe(organizationId: string, after?: string) {
    const ws = openWsClient(t.server.wsUrl, await createApiKey(t.admin, organizationId, 'MEMBER'));
    const sub = wsSubscribe(ws, AlertTriggeredDocument, { organizationId, after });
    const values = async (n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const result = await sub.next();
        if (!result.data) throw new Error(JSON.stringify(result.errors));
        expect(result.data.alertTriggered.organizationId).toBe(organizationId);
        out.push(result.data.alertTriggered.value);
      }
      return out;
    };
    return { ws, sub, values };
  }

  it('sends the alerts after an AlertEdge.cursor, oldest first, then the live ones', async () => {
    const { organizationId, fire } = await alertingOrganization(t.admin, 10);
    for (let i = 0; i < 3; i++) await fire();
    const [first] = await alertsOf(organizationId);
    const { ws, values } = await subscribe(organizationId, first!.cursor);
    try {
      expect(await values(2)).toEqual(['2', '3']);
      await fire();
      await fire();
      // A duplicate of the backlog, or an alert out of order, would come before these.
      expect(await values(2)).toEqual(['4', '5']);
    } finally {
      await ws.dispose();
    }
  });

  it('delivers on resume, after an Alert.id, the alerts raised while the client was disconnected', async () => {
    const { organizationId, fire } = await alertingOrganization(t.admin, 10);
    await fire();
    await fire();
    const [first] = await alertsOf(organizationId);
    const before = await subscribe(organizationId, first!.node.id);
    let lastSeen: string;
    try {
      // The backlog's alert shows the subscription is listening: the next one comes live.
      expect(await before.values(1)).toEqual(['2']);
      await fire();
      const live = await before.sub.next();
      expect(live.data?.alertTriggered.value).toBe('3');
      lastSeen = live.data!.alertTriggered.id;
    } finally {
      await before.ws.dispose();
    }
    // Disconnected: two alerts fire that no socket hears.
    await fire();
    await fire();
    const resumed = await subscribe(organizationId, lastSeen.toUpperCase());
    try {
      expect(await resumed.values(2)).toEqual(['4', '5']);
      await fire();
      expect(await resumed.values(1)).toEqual(['6']);
    } finally {
      await resumed.ws.dispose();
    }
  });

  it('misses nothing and repeats nothing of alerts committed while it switches from the backlog to live ones', async () => {
    const { organizationId, fire } = await alertingOrganization(t.admin, 30);
    await fire();
    const [first] = await alertsOf(organizationId);
    // Alerts keep firing while the subscription starts, reads its backlog and goes live.
    const firing = (async () => {
      for (let i = 0; i < 20; i++) await fire();
    })();
    await new Promise((r) => setTimeout(r, 50));
    const { ws, values } = await subscribe(organizationId, first!.node.id);
    try {
      await firing;
      const received = await values(20);
      expect(new Set(received).size).toBe(20);
      expect(received.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      await fire();
      expect(await values(1)).toEqual(['22']);
    } finally {
      await ws.dispose();
    }
  });

  it("takes another organisation's cursor as a point only: nothing of theirs is sent", async () => {
    const mine = await alertingOrganization(t.admin, 5);
    const theirs = await alertingOrganization(t.admin, 5);
    await theirs.fire();
    await mine.fire();
    await mine.fire();
    const [theirFirst] = await alertsOf(theirs.organizationId);
    const { ws, values } = await subscribe(mine.organizationId, theirFirst!.cursor);
    try {
      // Both of mine came after theirs; `values` checks each is of my organisation.
      expect(await values(2)).toEqual(['1', '2']);
    } finally {
      await ws.dispose();
    }
  });

  it.each([
    ['no cursor at all', () => 'garbage'],
    ["another list's cursor", () => encode(['42'])],
    ['a cursor whose sequence is not a number', () => encode(['2026-03-10T12:00:00.000Z', 'x'])],
    ['an id that is no alert', () => '00000000-0000-4000-8000-000000000000'],
  ])('refuses %s: BAD_USER_INPUT, INVALID_CURSOR', async (_label, after) => {
    const { organizationId } = await alertingOrganization(t.admin, 1);
    const { ws, sub } = await subscribe(organizationId, after());
    try {
      const result = await sub.next();
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
      expect(result.data ?? null).toBeNull();
    } finally {
      await ws.dispose();
    }
  });

  it("refuses another organisation's alert id as a cursor, as if it did not exist", async () => {
    const mine = await alertingOrganization(t.admin, 1);
    const theirs = await alertingOrganization(t.admin, 1);
    await theirs.fire();
    const [theirAlert] = await alertsOf(theirs.organizationId);
    const { ws, sub } = await subscribe(mine.organizationId, theirAlert!.node.id);
    try {
      expect((await sub.next()).errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
    } finally {
      await ws.dispose();
    }
  });
});
