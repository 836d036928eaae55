import { print } from 'graphql';
import WebSocket from 'ws';
import { ViewerDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

const PARTNER = 'https://app.partner.example';

/** The upgrade's answer: 101 (opened) or the status it was refused with. */
function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', origin ? { origin } : {});
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

describe('CORS for /graphql, as raw HTTP (the browser side is test/browser/cors.spec.ts)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ corsOrigins: [PARTNER] });
  });
  afterAll(() => t.close());

  const preflight = (origin: string) =>
    fetch(t.server.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  it('answers the preflight of a listed origin: methods, the key and JSON headers, and how long to keep it', async () => {
    const res = await preflight(PARTNER);
    expect(res.status).toBe(204);
    expect(Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'))).toEqual({
      'access-control-allow-origin': PARTNER,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'Authorization, Content-Type, Apollo-Require-Preflight, X-Apollo-Operation-Name, X-Request-Id',
      'access-control-expose-headers': 'X-Request-Id',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it('refuses the preflight of another origin with 403 FORBIDDEN and no CORS header', async () => {
    const res = await preflight('https://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toEqual({
      errors: [
        { message: 'Origin https://evil.example may not call this API from a browser (CORS_ORIGINS)', extensions: { code: 'FORBIDDEN' } },
      ],
    });
  });

  it('marks the answers to a listed origin readable, and those to another not', async () => {
    const ask = (origin: string) =>
      fetch(t.server.url, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
        body: JSON.stringify({ query: print(ViewerDocument) }),
      });
    const listed = await ask(PARTNER);
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe(PARTNER);
    const other = await ask('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
  });

  it('opens websockets for a listed origin, the server’s own (the dashboard) and clients without an Origin; refuses others with 403', async () => {
    const own = t.server.url.replace(/\/graphql$/, '');
    expect(await upgradeStatus(t.server.wsUrl, PARTNER)).toBe(101);
    expect(await upgradeStatus(t.server.wsUrl, own)).toBe(101);
    expect(await upgradeStatus(t.server.wsUrl)).toBe(101);
    expect(await upgradeStatus(t.server.wsUrl, 'https://evil.example')).toBe(403);
  });
});

describe('CORS_ORIGINS unset (the default)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('lets no browser origin read an answer, refuses every preflight, and leaves websockets unchecked', async () => {
    const res = await fetch(t.server.url, {
      method: 'POST',
      headers: { origin: PARTNER, 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ query: print(ViewerDocument) }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(t.server.url, {
      method: 'OPTIONS',
      headers: { origin: PARTNER, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(await upgradeStatus(t.server.wsUrl, PARTNER)).toBe(101);
  });
});
