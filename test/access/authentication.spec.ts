import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ViewerDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Opens a graphql-ws connection and reports how it ended or what `viewer` answered. */
async function wsViewer(url: string, authorization?: string): Promise<{ closeCode?: number; role?: string }> {
  return new Promise((resolve) => {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: authorization === undefined ? {} : { authorization },
      on: { closed: (event) => resolve({ closeCode: (event as { code: number }).code }) },
      onNonLazyError: () => undefined,
    });
    client.subscribe<{ viewer: { role: string } }>(
      { query: 'query { viewer { role } }' },
      {
        next: (value) => {
          resolve({ role: value.data?.viewer.role });
          void client.dispose();
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  });
}

describe('authentication', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('answers a platform admin key over HTTP', async () => {
    expect(await t.admin.data(ViewerDocument)).toEqual({ viewer: { role: 'PLATFORM_ADMIN', organization: null } });
  });

  it('refuses a request without a key with HTTP 401 and UNAUTHENTICATED', async () => {
    const res = await t.client().request(ViewerDocument);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data ?? null).toBeNull();
  });

  it('refuses an unknown key with HTTP 401 and UNAUTHENTICATED', async () => {
    const res = await t.client('mtr_not-a-real-key-at-all-0000000000').request(ViewerDocument);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a revoked key', async () => {
    const key = 'revoked-key-for-the-test-000000000';
    await t.db.query(
      `INSERT INTO api_keys (role, name, key_hash, key_prefix, revoked_at) VALUES ('PLATFORM_ADMIN', 'old', encode(sha256($1::bytea), 'hex'), 'x', now())`,
      [key],
    );
    expect((await t.client(key).request(ViewerDocument)).status).toBe(401);
  });

  it('closes a websocket without a key with 4401 and with a bad key with 4403', async () => {
    expect(await wsViewer(t.server.wsUrl)).toEqual({ closeCode: 4401 });
    expect(await wsViewer(t.server.wsUrl, 'Bearer mtr_wrong-key-000000000000000000')).toEqual({ closeCode: 4403 });
  });

  it('accepts a key in connectionParams.authorization over graphql-ws', async () => {
    expect(await wsViewer(t.server.wsUrl, `Bearer ${t.adminKey}`)).toMatchObject({ role: 'PLATFORM_ADMIN' });
  });
});
