import type { GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config';
import { DeepPlansDocument, ManyAliasesDocument, UsageUpdatedDocument, ViewerDocument } from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';
import { wsRequest, wsSubscribe } from '../helpers/ws-client';

const MAX_BODY = 64 * 1024;
const PRE_AUTH = 4 * 1024;
const METRICS = [{ code: 'ws_calls', unit: 'call', aggregation: 'SUM' as const }];
const PLAN = {
  code: 'ws_limits',
  name: 'ws limits',
  currency: 'USD',
  basePrice: '0',
  charges: [{ metric: 'ws_calls', model: 'PER_UNIT' as const, unitPrice: '1' }],
};
const usedOf = (result: { data?: { usageUpdated: { metrics: Array<{ metric: string; used: string }> } } | null }) =>
  result.data?.usageUpdated.metrics.find((m) => m.metric === 'ws_calls')?.used;

/** A graphql-transport-ws socket driven by hand: what it received, and how it closed. */
function rawSocket(url: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as (typeof messages)[number]));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code)));
  socket.on('error', () => undefined);
  return { socket, messages, opened, closed };
}

/** A connected graphql-ws client, or the close code that refused it. */
async function connectClient(url: string, key: string): Promise<{ client: Client; refused?: { code: number; reason: string } }> {
  let settle: (refused?: { code: number; reason: string }) => void = () => undefined;
  const settled = new Promise<{ code: number; reason: string } | undefined>((resolve) => (settle = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: { authorization: `Bearer ${key}` },
    onNonLazyError: () => undefined,
    on: {
      connected: () => settle(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        settle({ code, reason });
      },
    },
  });
  return { client, refused: await settled };
}

describe('websocket limits', () => {
  let t: TestServer;
  let org: string;
  const clients: Client[] = [];
  // A key of its own by default: each key may hold only two sockets here.
  const open = async (key?: string) => {
    const connected = await connectClient(t.server.wsUrl, key ?? (await createApiKey(t.admin, org, 'MEMBER')));
    clients.push(connected.client);
    return connected;
  };

  beforeAll(async () => {
    const transport = {
      ...loadConfig({}).transport,
      maxBodyBytes: MAX_BODY,
      wsPreAuthBytes: PRE_AUTH,
      wsMaxSubscriptions: 3,
      maxSocketsPerKey: 2,
    };
    t = await startTestServer({ transport, limits: { maxDepth: 6, maxAliases: 15, maxCost: 5000, maxTokens: 2000 } });
    org = await planWithOrganization(t.admin, METRICS, PLAN);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await t.close();
  });

  it('closes a socket that sends more than WS_PRE_AUTH_BYTES before its key is accepted', async () => {
    const early = rawSocket(t.server.wsUrl);
    await early.opened;
    early.socket.send(JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(PRE_AUTH * 2) } }));
    expect([1009, 1006]).toContain(await early.closed);

    const padded = rawSocket(t.server.wsUrl);
    await padded.opened;
    padded.socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.adminKey}`, pad: 'x'.repeat(PRE_AUTH) } }),
    );
    expect([1009, 1006]).toContain(await padded.closed);
    expect(padded.messages).toEqual([]);
  });

  it('takes messages up to MAX_BODY_BYTES once authenticated, and closes the socket on a larger one (1009)', async () => {
    const raw = rawSocket(t.server.wsUrl);
    await raw.opened;
    const acknowledged = new Promise<void>((resolve) => raw.socket.once('message', () => resolve()));
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.adminKey}` } }));
    await acknowledged;
    const query = `{ __typename }${' '.repeat(MAX_BODY - 200)}`;
    raw.socket.send(JSON.stringify({ type: 'subscribe', id: 'big', payload: { query } }));
    await new Promise<void>((resolve) => raw.socket.on('message', () => raw.messages.some((m) => m.type === 'complete') && resolve()));
    expect(raw.messages.map((m) => m.type)).toEqual(['connection_ack', 'next', 'complete']);
    raw.socket.send(JSON.stringify({ type: 'subscribe', id: 'bigger', payload: { query: `{ __typename }${' '.repeat(MAX_BODY)}` } }));
    expect(await raw.closed).toBe(1009);
  });

  it('refuses the operation past WS_MAX_SUBSCRIPTIONS with MAX_SUBSCRIPTIONS; the others go on', async () => {
    const { client } = await open();
    const subs = [1, 2, 3].map(() => wsSubscribe(client, UsageUpdatedDocument, { organizationId: org }));
    for (const sub of subs) await sub.next();
    const refused = await wsSubscribe(client, UsageUpdatedDocument, { organizationId: org }).next();
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'MAX_SUBSCRIPTIONS' } });
    expect(refused.errors?.[0]?.message).toContain('At most 3 operations');

    await record(t.admin, org, [{ id: 'max-subs-1', metric: 'ws_calls', quantity: '2', timestamp: at(0) }]);
    for (const sub of subs) expect(usedOf(await sub.next())).toBe('2');
    subs[0]!.unsubscribe();
    // A place is free again once an operation ends.
    const again = await wsRequest(client, ViewerDocument);
    expect(again.data?.viewer.role).toBe('MEMBER');
    subs.slice(1).forEach((sub) => sub.unsubscribe());
  });

  it('drops a socket that keeps asking past WS_MAX_SUBSCRIPTIONS (4429) instead of answering a flood one by one', async () => {
    const raw = rawSocket(t.server.wsUrl);
    await raw.opened;
    const acknowledged = new Promise<void>((resolve) => raw.socket.once('message', () => resolve()));
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${t.adminKey}` } }));
    await acknowledged;
    const payload = {
      query: 'subscription ($org: ID!) { usageUpdated(organizationId: $org) { totalCost { amount } } }',
      variables: { org },
    };
    for (let i = 0; i < 1_000; i++) raw.socket.send(JSON.stringify({ id: `flood-${i}`, type: 'subscribe', payload }));
    expect(await raw.closed).toBe(4429);
    // At most the cap's worth of refusals was answered before the socket was dropped; the rest of the flood was not read.
    expect(raw.messages.filter((m) => m.type === 'error').length).toBeLessThanOrEqual(3 + 1);
  });

  it('answers a syntax or validation error in one operation with an error for that id; the socket and its subscriptions go on', async () => {
    const { client } = await open();
    const live = wsSubscribe(client, UsageUpdatedDocument, { organizationId: org });
    const first = usedOf(await live.next());
    const errorsOf = (query: string) =>
      new Promise<readonly GraphQLFormattedError[]>((resolve, reject) =>
        client.subscribe(
          { query },
          { next: () => undefined, complete: () => reject(new Error('no error')), error: (e) => resolve(e as GraphQLFormattedError[]) },
        ),
      );
    expect((await errorsOf('subscription {'))[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await errorsOf('{ noSuchField }'))[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    await record(t.admin, org, [{ id: 'syntax-1', metric: 'ws_calls', quantity: '5', timestamp: at(1) }]);
    expect(Number(usedOf(await live.next()))).toBe(Number(first) + 5);
    expect((await wsRequest(client, ViewerDocument)).data?.viewer.role).toBe('MEMBER');
    live.unsubscribe();
  });

  it('applies the same query limits as HTTP: tokens, depth, aliases', async () => {
    const { client } = await open();
    const tokens = await new Promise<readonly GraphQLFormattedError[]>((resolve) =>
      client.subscribe(
        { query: `{ ${'__typename '.repeat(2100)}}` },
        { next: () => undefined, complete: () => resolve([]), error: (e) => resolve(e as GraphQLFormattedError[]) },
      ),
    );
    expect(tokens[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_TOKENS' });
    expect((await wsRequest(client, DeepPlansDocument)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_DEPTH',
    });
    expect((await wsRequest(client, ManyAliasesDocument)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_ALIASES',
    });
  });

  it('closes the socket past MAX_SOCKETS_PER_KEY with 4429; the others go on, and a closed one frees its place', async () => {
    const key = await createApiKey(t.admin, org, 'MEMBER');
    const first = await open(key);
    const second = await open(key);
    expect(first.refused).toBeUndefined();
    expect(second.refused).toBeUndefined();
    const third = await open(key);
    expect(third.refused).toEqual({ code: 4429, reason: 'Too many open websockets for this API key (at most 2)' });
    expect((await wsRequest(second.client, ViewerDocument)).data?.viewer.role).toBe('MEMBER');

    await first.client.dispose();
    // The server counts the socket out when it sees it close, a moment after the client does.
    let again = await open(key);
    for (let attempt = 0; again.refused && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await open(key);
    }
    expect(again.refused).toBeUndefined();
    expect((await wsRequest(again.client, ViewerDocument)).data?.viewer.role).toBe('MEMBER');
  });
});
