import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  createCatalog,
  createOrganizations,
  post,
  postgresCpuSeconds,
  type BenchResult,
  type BenchDatabase,
  startServerProcess,
} from './harness';

const BATCH = 1000;
const CLIENTS = 4;
const ORGS = 100;
const MUTATION = 'mutation($input: RecordUsageInput!) { recordUsage(input: $input) { accepted duplicates rejected { index code } } }';

interface Batch {
  organizationId: string;
  body: string;
  events: number;
}

/** The load: batches of 1,000 events for 100 organisations, 5 % of ids repeated, built before the clock starts. */
function buildBatches(orgs: string[], total: number): Batch[] {
  const batches: Batch[] = [];
  const perOrgSeen = new Map<string, number>();
  for (let b = 0; b * BATCH < total; b++) {
    const organizationId = orgs[b % orgs.length]!;
    const seen = perOrgSeen.get(organizationId) ?? 0;
    const events = Array.from({ length: BATCH }, (_, i) => {
      const n = seen + i;
      // One event in twenty repeats an id sent earlier (a retry).
      const id = i % 20 === 19 && n > 0 ? `e-${Math.floor(n / 2)}` : `e-${n}`;
      return {
        id,
        metric: 'tokens',
        quantity: String(100 + (n % 900)),
        team: `team-${n % 8}`,
        project: `project-${n % 5}`,
        user: `user-${n % 50}`,
        dimensions: { model: n % 3 ? 'gpt-4' : 'haiku', endpoint: `/v1/${n % 4}` },
      };
    });
    perOrgSeen.set(organizationId, seen + BATCH);
    batches.push({
      organizationId,
      body: JSON.stringify({ query: MUTATION, variables: { input: { organizationId, events } } }),
      events: BATCH,
    });
  }
  return batches;
}

export async function ingestBenchmark(db: BenchDatabase, totalEvents: number): Promise<BenchResult> {
  const server = await startServerProcess(db.url);
  try {
    await createCatalog(server.url);
    const orgs = await createOrganizations(server.url, ORGS);
    const batches = buildBatches(orgs, totalEvents);
    let next = 0;
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    const cpuBefore = server.cpuSeconds();
    const pgCpuBefore = postgresCpuSeconds();
    const loadCpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = next++; i < batches.length; i = next++) {
          const json = JSON.parse(await post(server.url, batches[i]!.body)) as {
            data?: { recordUsage: { accepted: number; duplicates: number; rejected: unknown[] } };
            errors?: unknown;
          };
          if (!json.data) throw new Error(`recordUsage failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
          accepted += json.data.recordUsage.accepted;
          duplicates += json.data.recordUsage.duplicates;
          rejected += json.data.recordUsage.rejected.length;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const perBatchMs = (cpuSeconds: number) => ((cpuSeconds * 1000) / (totalEvents / BATCH)).toFixed(1);
    const serverCpu = perBatchMs(server.cpuSeconds() - cpuBefore);
    const pgCpuAfter = postgresCpuSeconds();
    const pgCpu =
      pgCpuBefore === null || pgCpuAfter === null ? 'not visible (external DATABASE_URL)' : perBatchMs(pgCpuAfter - pgCpuBefore);
    const loadCpu = process.cpuUsage(loadCpuBefore);
    const loadCpuMs = perBatchMs((loadCpu.user + loadCpu.system) / 1e6);
    const rate = accepted / seconds;
    const copyRate = await copyBaseline(db.url, orgs, accepted);
    const ratio = rate / copyRate;
    return {
      name: 'ingest (recordUsage over HTTP, 4 clients × batches of 1,000)',
      figure: `${Math.round(rate).toLocaleString('en')} events/s`,
      baseline: `COPY ${Math.round(copyRate).toLocaleString('en')} rows/s`,
      ratio: ratio.toFixed(2),
      dataSize: `${totalEvents.toLocaleString('en')} events (${accepted.toLocaleString('en')} accepted, ${duplicates.toLocaleString('en')} duplicates, ${rejected} rejected), ${ORGS} organisations`,
      goal: '≥ 50,000 events/s and ≥ 0.5 × COPY',
      met: rate >= 50_000 && ratio >= 0.5,
      details: [`CPU per batch of ${BATCH} events, in ms: server ${serverCpu}, PostgreSQL ${pgCpu}, load generator ${loadCpuMs}`],
    };
  } finally {
    await server.stop();
  }
}

/** PostgreSQL's own bulk load of the same number of rows into the same table, with the same indexes. */
async function copyBaseline(url: string, orgs: string[], rows: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const [metric] = (await client.query(`SELECT id FROM metrics WHERE code = 'tokens'`)).rows as Array<{ id: string }>;
    const now = new Date().toISOString();
    // Built before the clock starts, as the API's request bodies are: the baseline times PostgreSQL, not string building.
    const chunks: string[] = [];
    for (let start = 0; start < rows; start += BATCH) {
      let chunk = '';
      for (let n = start; n < Math.min(rows, start + BATCH); n++) {
        const org = orgs[n % orgs.length]!;
        chunk += `${org}\tcopy-${n}\t${metric!.id}\t${now}\t${100 + (n % 900)}\t${100 + (n % 900)}\t${100 + (n % 900)}\t0.003\tteam-${n % 8}\tproject-${n % 5}\tuser-${n % 50}\t{"model": "gpt-4"}\n`;
      }
      chunks.push(chunk);
    }
    const started = process.hrtime.bigint();
    await pipeline(
      Readable.from(chunks),
      client.query(
        copyFrom(
          'COPY usage_events (organization_id, event_id, metric_id, occurred_at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions) FROM STDIN',
        ),
      ),
    );
    return rows / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await client.end();
  }
}
