import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitForPort } from '../helpers/free-port';
import {
  cores,
  createCatalog,
  gql,
  keepAliveClient,
  percentile,
  post,
  startServerProcess,
  type BenchDatabase,
  type BenchResult,
  type BenchServer,
} from './harness';

const CLIENTS = 4;
/** Alternating rounds, so background work on the shared cores lands on both series rather than deciding their ratio. */
const ROUNDS = 5;
const FEATURES = ['tokens', 'sso', 'concurrent_requests', 'managed_bedrock'];
const CHECK = `query($id: ID!, $feature: String!) { entitlement(organizationId: $id, feature: $feature) {
  feature hasAccess reason config metric used limit remaining unlimited } }`;
const VIEWER_BODY = JSON.stringify({ query: `query { viewer { role } }` });

interface Series {
  samples: number[];
  seconds: number;
}

/** `count` requests from 4 clients, each on its own keep-alive connection, each body taken in turn from `bodies`. */
async function drive(url: string, bodies: readonly string[], count: number): Promise<Series> {
  const samples: number[] = [];
  let next = 0;
  const clients = Array.from({ length: CLIENTS }, () => keepAliveClient(url));
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (next < count) {
          const body = bodies[next++ % bodies.length]!;
          const t0 = process.hrtime.bigint();
          const json = JSON.parse(await client.post(body)) as { errors?: unknown };
          if (json.errors) throw new Error(JSON.stringify(json.errors));
          samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    return { samples, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

interface Measured {
  checked: Series;
  viewed: Series;
  /** The bare HTTP server's series, when one was driven in the same rounds. */
  floor: Series | null;
  /** CPU time per check, in µs, of the server's processes and of this (the load generator). */
  serverMicros: number;
  clientMicros: number;
}

/**
 * Warms the paths up, then runs rounds of checks, of `viewer` and of the bare
 * HTTP floor in turn, so that the machine's slow spells land on every series
 * rather than deciding their ratios; the samples sorted.
 */
async function measure(server: BenchServer, checkBodies: readonly string[], checks: number, floorUrl?: string): Promise<Measured> {
  // Fills every organisation's entry once and lets V8 optimise both paths.
  await drive(server.url, checkBodies, checks / 2);
  await drive(server.url, [VIEWER_BODY], checks / 2);
  if (floorUrl) await drive(floorUrl, checkBodies, checks / ROUNDS);
  const checked: Series = { samples: [], seconds: 0 };
  const viewed: Series = { samples: [], seconds: 0 };
  const floor: Series = { samples: [], seconds: 0 };
  const add = (series: Series, round: Series) => {
    series.samples.push(...round.samples);
    series.seconds += round.seconds;
  };
  let serverSeconds = 0;
  let clientMicros = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const serverBefore = server.cpuSeconds();
    const clientBefore = process.cpuUsage();
    add(checked, await drive(server.url, checkBodies, checks / ROUNDS));
    const client = process.cpuUsage(clientBefore);
    serverSeconds += server.cpuSeconds() - serverBefore;
    clientMicros += client.user + client.system;
    add(viewed, await drive(server.url, [VIEWER_BODY], checks / ROUNDS));
    if (floorUrl) add(floor, await drive(floorUrl, checkBodies, checks / ROUNDS));
  }
  for (const series of [checked, viewed, floor]) series.samples.sort((a, b) => a - b);
  const count = checked.samples.length;
  return {
    checked,
    viewed,
    floor: floorUrl ? floor : null,
    serverMicros: (serverSeconds * 1e6) / count,
    clientMicros: clientMicros / count,
  };
}

/** The bare HTTP server in its own process, answering every POST with `answer`. */
async function startHttpFloor(answer: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, 'http-baseline-server.js')], {
    env: { ...process.env, PORT: String(port), BODY: answer },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitForPort(port);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const describeSeries = (series: Series, unit: string) =>
  `p50 ${percentile(series.samples, 50).toFixed(2)} ms, p99 ${percentile(series.samples, 99).toFixed(2)} ms, ` +
  `${Math.round(series.samples.length / series.seconds).toLocaleString('en')} ${unit}/s`;

/**
 * The check a platform's product makes before it serves a request,
 * `entitlement(organizationId, feature)` over HTTP across `organizations`
 * organisations, against the cheapest authenticated query, `viewer`, in the
 * same run: the figure is what the entitlement costs beyond HTTP and GraphQL.
 *
 * The load generator shares this machine, so the server gets the cores it
 * leaves: one worker per core but one. With one worker on every core as well
 * (npm start's default), the four processes take turns on two cores and the
 * figure measures the scheduler more than the server; that run is printed
 * too, against the same database.
 */
export async function entitlementBenchmark(db: BenchDatabase, organizations: number, checks: number): Promise<BenchResult> {
  const workers = Math.max(1, cores() - 1);
  let server = await startServerProcess(db.url, { WORKERS: String(workers) });
  let measured: Measured;
  let shared: Measured;
  try {
    await createCatalog(server.url);
    await gql(
      server.url,
      `mutation { createPlan(input: { code: "bench_features", name: "Bench features", currency: "USD", basePrice: "49",
        charges: [{ metric: "tokens", model: PER_UNIT, unitPrice: "0.00001", limit: "1000000", hardLimit: true }],
        features: [{ feature: "sso" }, { feature: "concurrent_requests", config: { limit: 20 } }] }) { id } }`,
    );
    const ids: string[] = [];
    for (let i = 0; i < organizations; i++) {
      const res = await gql<{ createOrganization: { id: string } }>(
        server.url,
        `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
        { input: { name: `entitled-${i}`, planCode: 'bench_features' } },
      );
      ids.push(res.createOrganization.id);
    }
    // Spread the organisations over the bodies so that consecutive checks hit different ones.
    const checkBodies = ids.map((id, i) => JSON.stringify({ query: CHECK, variables: { id, feature: FEATURES[i % FEATURES.length] } }));
    const floor = await startHttpFloor(await post(server.url, checkBodies[0]!));
    try {
      measured = await measure(server, checkBodies, checks, floor.url);
    } finally {
      await floor.stop();
    }
    await server.stop();
    server = await startServerProcess(db.url);
    shared = await measure(server, checkBodies, checks);
  } finally {
    await server.stop();
  }
  const { checked, viewed, floor, serverMicros, clientMicros } = measured;
  const coresAtGoal = ((serverMicros + clientMicros) * 10_000) / 1e6;
  const p99 = percentile(checked.samples, 99);
  const ratio = p99 / percentile(viewed.samples, 99);
  const rate = checked.samples.length / checked.seconds;
  return {
    name: `entitlement check (entitlement(organizationId, feature) over HTTP; ${checks.toLocaleString('en')} checks from ${CLIENTS} clients)`,
    figure: describeSeries(checked, 'checks'),
    baseline: `viewer ${describeSeries(viewed, 'queries')}`,
    ratio: `${ratio.toFixed(2)} (p99 entitlement / viewer)`,
    dataSize: `${organizations.toLocaleString('en')} organisations; features ${FEATURES.join(', ')} in turn; ${workers} server worker(s)`,
    goal: 'p99 ≤ 2 ms, ≥ 10,000 checks/s, p99 ≤ 1.5 × viewer',
    met: p99 <= 2 && rate >= 10_000 && ratio <= 1.5,
    details: [
      `CPU per check: server ${Math.round(serverMicros)} µs, load generator ${Math.round(clientMicros)} µs; ` +
        `10,000 checks/s would take ${coresAtGoal.toFixed(2)} of the ${cores()} cores`,
      `bare node:http floor (the same clients, bodies and answer size, one process, no GraphQL, in the same rounds): ` +
        describeSeries(floor!, 'requests'),
      `with a worker on every core (${cores()}, npm start's default) beside the load generator: ` +
        `entitlement ${describeSeries(shared.checked, 'checks')}; viewer ${describeSeries(shared.viewed, 'queries')}`,
    ],
  };
}
