import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ViewerDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { wsRequest } from '../helpers/ws-client';

/** How keys are presented: HTTP's Authorization header with the Bearer scheme, graphql-ws's connectionParams. */
describe('the Bearer scheme and connectionParams', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const viewer = async (authorization: string) => {
    const res = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: print(ViewerDocument) }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: unknown }> } };
  };

  it('refuses a bare key over HTTP with 401, saying to send "Authorization: Bearer <key>"', async () => {
    const { status, body } = await viewer(t.adminKey);
    expect(status).toBe(401);
    expect(body.errors).toEqual([
      { message: 'The Bearer scheme is required: send "Authorization: Bearer <key>"', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect((await viewer(`Basic ${t.adminKey}`)).status).toBe(401);
  });

  it('takes the scheme in any letter case (RFC 7235)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect(await viewer(`${scheme} ${t.adminKey}`)).toMatchObject({
        status: 200,
        body: { data: { viewer: { role: 'PLATFORM_ADMIN' } } },
      });
    }
  });

  it('refuses a bare key on the PDF route too', async () => {
    const res = await fetch(t.server.url.replace(/\/graphql$/, '/invoices/00000000-0000-0000-0000-000000000000/pdf'), {
      headers: { authorization: t.adminKey },
    });
    expect(res.status).toBe(401);
  });

  it('reads connectionParams.authorization in any letter case, with the scheme or bare', async () => {
    for (const [name, value] of [
      ['authorization', `Bearer ${t.adminKey}`],
      ['Authorization', `Bearer ${t.adminKey}`],
      ['AUTHORIZATION', `bearer ${t.adminKey}`],
      ['Authorization', t.adminKey],
    ] as const) {
      const client = createClient({ url: t.server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { [name]: value } });
      try {
        expect({ name, role: (await wsRequest(client, ViewerDocument)).data?.viewer.role }).toEqual({ name, role: 'PLATFORM_ADMIN' });
      } finally {
        await client.dispose();
      }
    }
  });
});
