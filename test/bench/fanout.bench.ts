import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, waitForPort } from '../helpers/free-port';
import {
  ADMIN_KEY,
  createCatalog,
  createOrganizations,
  gql,
  percentile,
  startServerProcess,
  type BenchDatabase,
  type BenchResult,
} from './harness';

const SUBSCRIPTION = `subscription($id: ID!) { usageUpdated(organizationId: $id) { totalCost { amount } metrics { metric used cost { amount } } } }`;
const METRIC = 'tokens';
const RECORD = `mutation($input: RecordUsageInput!) { recordUsage(input: $input) { accepted } }`;

interface Subscriber {
  org: number;
  /** Highest `used` seen so far, and when each level was first seen. */
  seen: Array<{ used: number; at: number }>;
}

/**
 * Live fan-out: many graphql-ws subscribers to `usageUpdated` while usage is
 * recorded at a steady rate; the delay from each recordUsage response to
 * every subscriber's first message that reflects it.
 */
export async function fanoutBenchmark(db: BenchDatabase, orgCount: number, perOrg: number, seconds: number): Promise<BenchResult> {
  // Every subscriber uses the one benchmark key, as many browsers behind one platform key would.
  const server = await startServerProcess(db.url, { MAX_SOCKETS_PER_KEY: String(orgCount * perOrg) });
  const clients: Client[] = [];
  try {
    await createCatalog(server.url);
    const orgs = await createOrganizations(server.url, orgCount);
    const subscribers: Subscriber[] = [];
    let messageBytes = 0;
    await Promise.all(
      orgs.flatMap((orgId, org) =>
        Array.from({ length: perOrg }, async () => {
          const client = createClient({
            url: server.wsUrl,
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${ADMIN_KEY}` },
            retryAttempts: 0,
          });
          clients.push(client);
          const subscriber: Subscriber = { org, seen: [] };
          subscribers.push(subscriber);
          await new Promise<void>((resolve, reject) => {
            client.subscribe<{ usageUpdated: { metrics: Array<{ metric: string; used: string }> } }>(
              { query: SUBSCRIPTION, variables: { id: orgId } },
              {
                next: (value) => {
                  const used = Number(value.data?.usageUpdated.metrics.find((m) => m.metric === METRIC)?.used ?? 0);
                  messageBytes ||= JSON.stringify(value).length;
                  subscriber.seen.push({ used, at: performance.now() });
                  resolve();
                },
                error: reject,
                complete: () => undefined,
              },
            );
          });
        }),
      ),
    );

    // Steady load: one small batch every 20 ms, to organisations in turn.
    const writes: Array<{ org: number; used: number; at: number }> = [];
    const totals = new Array<number>(orgCount).fill(0);
    const deadline = performance.now() + seconds * 1000;
    let n = 0;
    while (performance.now() < deadline) {
      const org = n % orgCount;
      const tick = performance.now();
      await gql(server.url, RECORD, {
        input: {
          organizationId: orgs[org],
          events: Array.from({ length: 10 }, (_, i) => ({
            id: `f-${n}-${i}`,
            metric: METRIC,
            quantity: '1',
            dimensions: { model: 'haiku' },
          })),
        },
      });
      totals[org]! += 10;
      writes.push({ org, used: totals[org]!, at: performance.now() });
      n++;
      const wait = 20 - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const rss = server.rss();

    const delays: number[] = [];
    let lost = 0;
    for (const write of writes) {
      for (const s of subscribers) {
        if (s.org !== write.org) continue;
        const first = s.seen.find((m) => m.used >= write.used);
        if (first) delays.push(Math.max(0, first.at - write.at));
        else lost++;
      }
    }
    delays.sort((a, b) => a - b);
    const baseline = await bareWsBaseline(subscribers.length, messageBytes, writes.length);
    const p99 = percentile(delays, 99);
    return {
      name: 'live fan-out (usageUpdated over graphql-ws while usage is recorded)',
      figure: `p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, server RSS ${(rss / 2 ** 20).toFixed(0)} MiB, ${lost} lost`,
      baseline: `bare ws broadcast p50 ${percentile(baseline, 50).toFixed(1)} ms, p99 ${percentile(baseline, 99).toFixed(1)} ms`,
      ratio: `${(p99 / percentile(baseline, 99)).toFixed(1)} (p99 / bare p99)`,
      dataSize: `${subscribers.length.toLocaleString('en')} subscribers across ${orgCount} organisations, ${writes.length} writes in ${seconds} s, ${messageBytes} B messages`,
      goal: 'p99 ≤ 100 ms, RSS ≤ 1 GiB, nothing lost',
      met: p99 <= 100 && rss <= 2 ** 30 && lost === 0,
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await server.stop();
  }
}

/** The same number of sockets on a bare `ws` server in its own process, messages of the same size. */
async function bareWsBaseline(sockets: number, bytes: number, rounds: number): Promise<number[]> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, 'ws-baseline-server.js')], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForPort(port);
  const received: number[][] = [];
  const open = await Promise.all(
    Array.from({ length: sockets }, (_, i) => {
      received.push([]);
      return new Promise<WebSocket>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}`);
        ws.on('message', () => received[i]!.push(performance.now()));
        ws.on('open', () => resolve(ws));
      });
    }),
  );
  const delays: number[] = [];
  for (let r = 0; r < Math.min(rounds, 200); r++) {
    // Measured from the moment the broadcast is asked for, one loopback request earlier than the
    // server's figure, which starts at the recordUsage response.
    const sent = performance.now();
    await fetch(`http://127.0.0.1:${port}/broadcast?bytes=${bytes}`);
    const deadline = sent + 5000;
    while (received.some((times) => times.length <= r) && performance.now() < deadline) await new Promise((res) => setTimeout(res, 1));
    for (const times of received) if (times[r] !== undefined) delays.push(Math.max(0, times[r]! - sent));
  }
  for (const ws of open) ws.terminate();
  child.kill('SIGTERM');
  return delays.sort((a, b) => a - b);
}
