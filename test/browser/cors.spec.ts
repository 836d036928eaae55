import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { print } from 'graphql';
import { chromium, type Browser, type Page } from 'playwright-core';
import { UsageUpdatedDocument, ViewerDocument } from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { planWithOrganization } from '../helpers/usage-fixtures';

// What the callbacks run inside the page use of the browser's globals: this program is typed for Node, without the DOM.
interface PageSocket {
  onopen: (() => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  send(data: string): void;
  close(): void;
}
declare const WebSocket: new (url: string, protocol: string) => PageSocket;

const CHROMIUM = '/usr/bin/chromium';
const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) console.warn('CORS browser test NOT run: Chromium is not installed (apt-get install chromium)');

type Outcome = { status: number; body: unknown } | { failed: string };
type SocketOutcome = { next: unknown } | { closed: number } | { failed: string };

/** A partner's page: fetch with the key in Authorization, as Apollo Client or urql would send it. */
async function queryFromPage(args: { url: string; key: string; query: string; method: 'GET' | 'POST' }): Promise<Outcome> {
  try {
    const res =
      args.method === 'GET'
        ? await fetch(`${args.url}?query=${encodeURIComponent(args.query)}`, { headers: { authorization: `Bearer ${args.key}` } })
        : await fetch(args.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${args.key}` },
            body: JSON.stringify({ query: args.query }),
          });
    return { status: res.status, body: (await res.json()) as unknown };
  } catch (err) {
    return { failed: String(err) };
  }
}

/** The graphql-transport-ws protocol by hand, with the key under a capitalised `Authorization`: its first result, or how it closed. */
function subscribeFromPage(args: {
  wsUrl: string;
  key: string;
  query: string;
  variables: Record<string, unknown>;
}): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(args.wsUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => {
      socket.close();
      resolve({ failed: 'no result within 8 s' });
    }, 8000);
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${args.key}` } }));
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: args.query, variables: args.variables } }));
      } else if (message.type === 'next') {
        clearTimeout(timer);
        resolve({ next: message.payload });
        socket.close();
      }
    };
    socket.onclose = (event) => {
      clearTimeout(timer);
      resolve({ closed: event.code });
    };
  });
}

/** A plain page on its own origin (another port of the loopback), where the partner's script runs. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Partner app</title><p>partner');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

(chromiumInstalled ? describe : describe.skip)('a partner page on another origin, in Chromium (CORS_ORIGINS)', () => {
  let t: TestServer;
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let key: string;
  let org: string;

  beforeAll(async () => {
    [allowed, other] = await Promise.all([pageServer(), pageServer()]);
    [t, browser] = await Promise.all([
      startTestServer({ corsOrigins: [allowed.origin] }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-sync'],
      }),
    ]);
    org = await planWithOrganization(t.admin, [{ code: 'cors_calls', unit: 'call', aggregation: 'SUM' }], {
      code: 'cors',
      name: 'CORS',
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric: 'cors_calls', model: 'PER_UNIT', unitPrice: '0.01' }],
    });
    key = await createApiKey(t.admin, org, 'TENANT_ADMIN');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    for (const page of [allowed, other]) page?.server.close();
  });

  async function openPage(origin: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  it('answers a listed origin: a query by POST and by GET, each with the key in Authorization', async () => {
    const page = await openPage(allowed.origin);
    try {
      for (const method of ['POST', 'GET'] as const) {
        const outcome = await page.evaluate(queryFromPage, { url: t.server.url, key, query: print(ViewerDocument), method });
        expect({ method, outcome }).toEqual({
          method,
          outcome: {
            status: 200,
            body: {
              data: { viewer: { role: 'TENANT_ADMIN', organization: expect.objectContaining({ id: org }) as unknown } },
              // The query's cost, reported on every HTTP answer that costs something.
              extensions: { cost: { requested: expect.any(Number) as unknown, limit: 5000 } },
            },
          },
        });
      }
    } finally {
      await page.close();
    }
  });

  it('streams a subscription to a listed origin over graphql-ws with connectionParams', async () => {
    const page = await openPage(allowed.origin);
    try {
      const outcome = await page.evaluate(subscribeFromPage, {
        wsUrl: t.server.wsUrl,
        key,
        query: print(UsageUpdatedDocument),
        variables: { organizationId: org },
      });
      expect(outcome).toMatchObject({ next: { data: { usageUpdated: { totalCost: { amount: '0.00', currency: 'USD' } } } } });
    } finally {
      await page.close();
    }
  });

  it('refuses an origin outside the list: the fetch fails in the page and the websocket is not opened', async () => {
    const page = await openPage(other.origin);
    try {
      const query = await page.evaluate(queryFromPage, { url: t.server.url, key, query: print(ViewerDocument), method: 'POST' as const });
      expect(query).toEqual({ failed: expect.stringContaining('Failed to fetch') as unknown });
      const socket = await page.evaluate(subscribeFromPage, {
        wsUrl: t.server.wsUrl,
        key,
        query: print(UsageUpdatedDocument),
        variables: { organizationId: org },
      });
      // 1006: the upgrade was refused (403) before any websocket existed.
      expect(socket).toEqual({ closed: 1006 });
    } finally {
      await page.close();
    }
  });
});
