import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { processTree } from '../helpers/process-tree';
import {
  ADMIN_KEY,
  createCatalog,
  createOrganizations,
  percentile,
  post,
  startServerProcess,
  type BenchDatabase,
  type BenchResult,
} from './harness';

const CLIENTS = 4;
const LEGIT_QUERY = JSON.stringify({ query: '{ viewer { role } }' });
const SUBSCRIPTION = 'subscription($id: ID!) { usageUpdated(organizationId: $id) { totalCost { amount } } }';
const RECORD = 'mutation($input: RecordUsageInput!) { recordUsage(input: $input) { accepted rejected { reason } } }';
/** The largest quantity estimateCost accepts (the quantity bounds: 18 digits and 20 decimals), on every metric of the plan. */
const LARGEST_QUANTITY = `${'9'.repeat(18)}.${'9'.repeat(20)}`;
const ESTIMATE = JSON.stringify({
  query: 'query($usage: [PlannedUsageInput!]!) { estimateCost(planCode: "bench", usage: $usage) { total { amount } } }',
  variables: { usage: ['tokens', 'requests', 'storage', 'hours'].map((metric) => ({ metric, quantity: LARGEST_QUANTITY })) },
});
const GOAL_P99_MS = 50;
const GOAL_RSS = 2 ** 30;

interface Attack {
  name: string;
  /** One round of the attack by one client; rounds repeat until the phase ends. */
  round(stop: () => boolean): Promise<void>;
}

/** Attackers' connections are their own: the legitimate client keeps its keep-alive pool. */
const attackAgent = new Agent({ keepAlive: false, maxSockets: 64 });

/** A POST whose answer (or refusal, or a connection cut) ends the round; errors are the attack's business. */
function rawPost(url: string, body: Buffer, key: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      agent: attackAgent,
      headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${key}` },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end(body);
  });
}

/** A websocket that lives until the server closes it or the round gives up. */
function wsRound(url: string, onOpen: (socket: WebSocket) => void, stop: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { maxPayload: 0 });
    const timer = setInterval(() => stop() && socket.terminate(), 100);
    socket.on('open', () => onOpen(socket));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

function attacks(httpUrl: string, wsUrl: string, org: string, quick: boolean): Attack[] {
  // Made on first use: the attacks are also listed for their names.
  let body15mb: Buffer | undefined;
  let frame90mb: Buffer | undefined;
  let batchNo = 0;
  const batch = () => {
    const n = ++batchNo;
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      id: `abuse-${n}-${i}`,
      metric: 'tokens',
      quantity: String(1 + (i % 1000)),
      dimensions: { model: i % 2 ? 'gpt-4' : 'haiku' },
    }));
    return Buffer.from(JSON.stringify({ query: RECORD, variables: { input: { organizationId: org, events } } }));
  };
  return [
    {
      name: 'unauthenticated 15 MB bodies',
      round: () => rawPost(httpUrl, (body15mb ??= Buffer.alloc(15 * 2 ** 20, 'x')), 'mtr_not-a-key'),
    },
    {
      name: '90 MB websocket frames before authentication',
      round: (stop) => wsRound(wsUrl, (socket) => socket.send((frame90mb ??= Buffer.alloc(90 * 2 ** 20, 'x')), () => undefined), stop),
    },
    {
      name: '10,000 subscribe messages on one socket',
      round: (stop) =>
        wsRound(
          wsUrl,
          (socket) => {
            socket.once('message', () => {
              const payload = { query: SUBSCRIPTION, variables: { id: org } };
              for (let i = 0; i < 10_000; i++) socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload }));
              // Held a moment, as an attacker would, then dropped for another round.
              setTimeout(() => socket.terminate(), quick ? 500 : 2000);
            });
            socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_KEY}` } }));
          },
          stop,
        ),
    },
    { name: 'the largest decimal estimateCost accepts', round: () => rawPost(httpUrl, Buffer.from(ESTIMATE), ADMIN_KEY) },
    { name: 'the largest valid batch (10,000 events)', round: () => rawPost(httpUrl, batch(), ADMIN_KEY) },
  ];
}

/** Resident memory of each server process (the primary and its workers), in bytes. */
function rssPerProcess(root: number): number[] {
  return processTree(root).map((pid) => {
    try {
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  });
}

interface Phase {
  name: string;
  p50: number;
  p99: number;
  queries: number;
  rounds: number;
  maxRss: number;
}

interface AttackOrder {
  attack: number;
  httpUrl: string;
  wsUrl: string;
  org: string;
  quick: boolean;
  seconds: number;
}

/** In a worker thread: the attack from 4 clients until the phase ends, then how many rounds they ran. */
async function runAttack(order: AttackOrder): Promise<number> {
  const attack = attacks(order.httpUrl, order.wsUrl, order.org, order.quick)[order.attack]!;
  const deadline = performance.now() + order.seconds * 1000;
  const stop = () => performance.now() >= deadline;
  let rounds = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (!stop()) {
        await attack.round(stop);
        rounds++;
      }
    }),
  );
  return rounds;
}

if (!isMainThread && (workerData as { abuse?: AttackOrder } | null)?.abuse) {
  void runAttack((workerData as { abuse: AttackOrder }).abuse).then((rounds) => parentPort?.postMessage(rounds));
}

/**
 * The legitimate client's simple query, sequential over keep-alive HTTP, while
 * an attack runs from 4 clients (or none, for the baseline), and the largest
 * RSS any server process reached meanwhile. The attackers run in a worker
 * thread: building 90 MB frames and 10,000-event batches in this thread would
 * delay the legitimate client here rather than in the server.
 */
async function phase(url: string, serverPid: number, seconds: number, order: AttackOrder | null): Promise<Phase> {
  const deadline = performance.now() + seconds * 1000;
  const stop = () => performance.now() >= deadline;
  let maxRss = 0;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, ...rssPerProcess(serverPid))), 100);
  const rounds = order
    ? new Promise<number>((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: { abuse: order } });
        worker.once('message', (n: number) => resolve(n));
        worker.once('error', reject);
        worker.once('exit', () => resolve(0));
      })
    : Promise.resolve(0);
  // The attack starts first; latencies count once it is under way.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const latencies: number[] = [];
  while (!stop()) {
    const start = performance.now();
    const answer = await post(url, LEGIT_QUERY);
    latencies.push(performance.now() - start);
    if (!answer.includes('"role"')) throw new Error(`the legitimate query failed: ${answer.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const attackRounds = await rounds;
  clearInterval(sampler);
  maxRss = Math.max(maxRss, ...rssPerProcess(serverPid));
  latencies.sort((a, b) => a - b);
  return {
    name: order ? attacks('', '', '', order.quick)[order.attack]!.name : 'no attack',
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    queries: latencies.length,
    rounds: attackRounds,
    maxRss,
  };
}

/**
 * Speed under attack: a legitimate client's simple query while each attack
 * runs from 4 clients, against the same client with no attack, in one run.
 */
export async function abuseBenchmark(db: BenchDatabase, seconds: number, quick: boolean): Promise<BenchResult> {
  const server = await startServerProcess(db.url);
  try {
    await createCatalog(server.url);
    const [org] = await createOrganizations(server.url, 1);
    const baseline = await phase(server.url, server.pid, seconds, null);
    const phases: Phase[] = [];
    for (let attack = 0; attack < attacks('', '', '', quick).length; attack++) {
      const order = { attack, httpUrl: server.url, wsUrl: server.wsUrl, org: org!, quick, seconds };
      phases.push(await phase(server.url, server.pid, seconds, order));
    }
    const worst = phases.reduce((a, b) => (b.p99 > a.p99 ? b : a));
    const maxRss = Math.max(baseline.maxRss, ...phases.map((p) => p.maxRss));
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const line = (p: Phase) =>
      `${p.name}: p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms over ${p.queries} queries; ${p.rounds} attack rounds; largest process ${mib(p.maxRss)}`;
    return {
      name: 'abuse: a legitimate query while the server is attacked',
      figure: `worst p99 ${worst.p99.toFixed(1)} ms (${worst.name}), largest server process ${mib(maxRss)}`,
      baseline: `p99 ${baseline.p99.toFixed(1)} ms, p50 ${baseline.p50.toFixed(1)} ms with no attack`,
      ratio: `${(worst.p99 / baseline.p99).toFixed(1)} (worst p99 / bare p99)`,
      dataSize: `${phases.length} attacks of ${seconds} s from ${CLIENTS} clients each`,
      goal: `p99 ≤ ${GOAL_P99_MS} ms under every attack, every server process < 1 GiB`,
      met: worst.p99 <= GOAL_P99_MS && maxRss < GOAL_RSS,
      details: [line(baseline), ...phases.map(line)],
    };
  } finally {
    await server.stop();
  }
}
