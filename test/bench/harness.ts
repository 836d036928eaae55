import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Client as UndiciClient } from 'undici';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/common/database/embedded-postgres';
import { freePort } from '../helpers/free-port';
import { processTree, procStat } from '../helpers/process-tree';

export const ADMIN_KEY = 'mtr_benchmark-admin-key-0000000000000000';
const MAIN = join(__dirname, '..', '..', 'src', 'main.js');

export interface BenchDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A throwaway PostgreSQL for one benchmark run: embedded, or a fresh database on DATABASE_URL. */
export async function benchDatabase(): Promise<BenchDatabase> {
  if (process.env.DATABASE_URL) {
    const name = `meterly_bench_${process.pid}`;
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      stop: async () => {
        const c = new Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'meterly-bench-'));
  chmodSync(dir, 0o755);
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
    dataDir: dir,
    port: await freePort(),
    database: 'meterly',
    persistent: false,
  });
  return {
    url: embedded.url,
    stop: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchServer {
  url: string;
  wsUrl: string;
  /** The server's main process; its workers are its children. */
  pid: number;
  /** Resident memory of the server and its worker processes, in bytes. */
  rss(): number;
  /** CPU time (user + system) the server and its workers have used so far, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** The server as a user starts it (`node dist/src/main.js`), in its own process; `env` adds to its configuration. */
export async function startServerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const nodeArgs = [...startNodeFlags(), ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ADMIN_API_KEY: ADMIN_KEY,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      BILLING_INTERVAL_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Meterly GraphQL:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    rss: () => rssOf(child.pid!),
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The node flags of `npm start`, read from package.json, so the benchmark runs the server exactly as users do. */
function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  const match = /\bnode((?: --\S+)*) dist\/src\/main\.js/.exec(pkg.scripts.start);
  if (!match) throw new Error(`cannot read the server's command from the start script: ${pkg.scripts.start}`);
  return match[1]!.split(' ').filter(Boolean);
}

/** Resident memory of the server and its workers. */
function rssOf(pid: number): number {
  let bytes = 0;
  for (const member of processTree(pid)) {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${member}/status`, 'utf8'))?.[1];
      bytes += kb ? Number(kb) * 1024 : 0;
    } catch {
      // Gone meanwhile.
    }
  }
  return bytes;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * A POST of a prepared body over keep-alive HTTP with node:http: the load
 * generator shares the machine with the server and PostgreSQL, so it should
 * cost as little CPU per request as it can (fetch costs several times more).
 */
export function post(url: string, body: string, key = ADMIN_KEY): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${key}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One client of its own connection, for benchmarks that measure a server's
 * latency from a few clients: undici's client costs half of node:http's per
 * request (52 against 102 µs with 4 clients here), which on two shared cores
 * is the difference between measuring the server and measuring the load
 * generator. (Its pool spreads a client's requests over many sockets and
 * costs more than node:http.)
 */
export function keepAliveClient(url: string, key = ADMIN_KEY): { post(body: string): Promise<string>; close(): Promise<void> } {
  const { origin, pathname } = new URL(url);
  const client = new UndiciClient(origin, { pipelining: 1 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  return {
    post: async (body) => {
      const res = await client.request({ path: pathname, method: 'POST', headers, body });
      return res.body.text();
    },
    close: () => client.close(),
  };
}

/** utime + stime of the server and its workers (/proc/<pid>/stat fields 14 and 15, in ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    const fields = procStat(member);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

/**
 * CPU time of the embedded PostgreSQL started by this process: its processes'
 * utime + stime, plus the postmaster's reaped children (backends that ended).
 * Null on an external DATABASE_URL, whose processes we cannot see.
 */
export function postgresCpuSeconds(): number | null {
  if (process.env.DATABASE_URL) return null;
  let ticks = 0;
  for (const member of processTree(process.pid)) {
    let name: string;
    try {
      name = readFileSync(`/proc/${member}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const fields = name === 'postgres' ? procStat(member) : null;
    if (fields) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / 100;
}

/** A GraphQL call over keep-alive HTTP; throws on GraphQL errors. */
export async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}, key = ADMIN_KEY): Promise<T> {
  const body = JSON.parse(await post(url, JSON.stringify({ query, variables }), key)) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface BenchResult {
  name: string;
  figure: string;
  baseline: string;
  ratio: string;
  dataSize: string;
  goal: string;
  met: boolean;
  details?: string[];
}

export const cores = () => availableParallelism();

/** Shared set-up: a metric priced by a rate card and a plan with it. */
export async function createCatalog(url: string): Promise<void> {
  await gql(url, `mutation { createMetric(input: { code: "tokens", unit: "token", aggregation: SUM }) { id } }`);
  await gql(url, `mutation { createMetric(input: { code: "requests", unit: "request", aggregation: COUNT }) { id } }`);
  await gql(url, `mutation { createMetric(input: { code: "storage", unit: "GB", aggregation: MAX }) { id } }`);
  await gql(url, `mutation { createMetric(input: { code: "seats", unit: "user", aggregation: UNIQUE_COUNT, uniqueBy: "user" }) { id } }`);
  await gql(url, `mutation { createMetric(input: { code: "hours", unit: "hour", aggregation: SUM, eventRounding: "1" }) { id } }`);
  await gql(
    url,
    `mutation { createPlan(input: { code: "bench", name: "Bench", currency: "USD", basePrice: "49", charges: [
      { metric: "tokens", model: PER_UNIT, unitPrice: "0.00001", dimensionPrices: [{ dimensions: { model: "gpt-4" }, unitPrice: "0.00003" }, { dimensions: { model: "haiku" }, unitPrice: "0.00000025" }] },
      { metric: "requests", model: PACKAGE, included: "1000", packageSize: "500", packagePrice: "5" },
      { metric: "storage", model: PER_UNIT, included: "10", unitPrice: "0.1" },
      { metric: "seats", model: PER_UNIT, unitPrice: "20" },
      { metric: "hours", model: GRADUATED, tiers: [{ upTo: "100", unitPrice: "0.1" }, { unitPrice: "0.05" }] } ] }) { id } }`,
  );
}

export async function createOrganizations(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await gql<{ createOrganization: { id: string } }>(
      url,
      `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
      {
        input: { name: `bench-${i}`, planCode: 'bench' },
      },
    );
    ids.push(res.createOrganization.id);
  }
  return ids;
}
