import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
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

/** Sends the batches from 4 clients and counts what the server answered. */
async function send(url: string, batches: Batch[]): Promise<{ accepted: number; duplicates: number; rejected: number }> {
  const counts = { accepted: 0, duplicates: 0, rejected: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        const json = JSON.parse(await post(url, batches[i]!.body)) as {
          data?: { recordUsage: { accepted: number; duplicates: number; rejected: unknown[] } };
          errors?: unknown;
        };
        if (!json.data) throw new Error(`recordUsage failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
        counts.accepted += json.data.recordUsage.accepted;
        counts.duplicates += json.data.recordUsage.duplicates;
        counts.rejected += json.data.recordUsage.rejected.length;
      }
    }),
  );
  return counts;
}

/**
 * `warmUpEvents` go first, uncounted, to organisations of their own: the
 * server's CPU per batch falls from about 20 to 8 ms over its first hundred
 * batches while V8 compiles the hot paths, and the figure is the steady
 * state, as the read benchmark's is.
 */
export async function ingestBenchmark(db: BenchDatabase, totalEvents: number, warmUpEvents: number): Promise<BenchResult> {
  const server = await startServerProcess(db.url);
  try {
    await createCatalog(server.url);
    const orgs = await createOrganizations(server.url, ORGS);
    await send(server.url, buildBatches(await createOrganizations(server.url, 10), warmUpEvents));
    const batches = buildBatches(orgs, totalEvents);
    const wal = new Client({ connectionString: db.url });
    await wal.connect();
    const walBefore = await walPosition(wal);
    const cpuBefore = server.cpuSeconds();
    const pgCpuBefore = postgresCpuSeconds();
    const loadCpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const { accepted, duplicates, rejected } = await send(server.url, batches);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const perBatchMs = (cpuSeconds: number) => ((cpuSeconds * 1000) / (totalEvents / BATCH)).toFixed(1);
    const serverCpu = perBatchMs(server.cpuSeconds() - cpuBefore);
    const pgCpuAfter = postgresCpuSeconds();
    const pgCpu =
      pgCpuBefore === null || pgCpuAfter === null ? 'not visible (external DATABASE_URL)' : perBatchMs(pgCpuAfter - pgCpuBefore);
    const loadCpu = process.cpuUsage(loadCpuBefore);
    const loadCpuMs = perBatchMs((loadCpu.user + loadCpu.system) / 1e6);
    const rate = accepted / seconds;
    const walPerEvent = ((await walPosition(wal)) - walBefore) / accepted;
    await wal.end();
    const copy = await copyBaseline(db.url, orgs);
    const ratio = rate / copy.rate;
    return {
      name: 'ingest (recordUsage over HTTP, 4 clients × batches of 1,000)',
      figure: `${Math.round(rate).toLocaleString('en')} events/s`,
      baseline: `COPY of the same rows ${Math.round(copy.rate).toLocaleString('en')} rows/s`,
      ratio: ratio.toFixed(2),
      dataSize: `${totalEvents.toLocaleString('en')} events (${accepted.toLocaleString('en')} accepted, ${duplicates.toLocaleString('en')} duplicates, ${rejected} rejected), ${ORGS} organisations`,
      goal: '≥ 50,000 events/s and ≥ 0.5 × COPY',
      met: rate >= 50_000 && ratio >= 0.5,
      details: [
        `CPU per batch of ${BATCH} events, in ms: server ${serverCpu}, PostgreSQL ${pgCpu}, load generator ${loadCpuMs}`,
        `WAL per event: ${Math.round(walPerEvent)} bytes through the API (event, idempotency key, rollups, totals), ${Math.round(copy.walPerRow)} through COPY`,
        `after a warm-up of ${warmUpEvents.toLocaleString('en')} events to other organisations, not counted`,
      ],
    };
  } finally {
    await server.stop();
  }
}

/** Bytes of WAL written so far: what a write costs PostgreSQL beyond its CPU. */
async function walPosition(client: Client): Promise<number> {
  const { rows } = await client.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint AS bytes`);
  return Number(rows[0]!.bytes);
}

const EVENT_COLUMNS =
  'organization_id, event_id, metric_id, occurred_at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions';

/**
 * PostgreSQL's own bulk load of the same rows into the same table, with the
 * same indexes: the events the API just wrote, read back in the order they
 * were written and given new ids (the primary key holds the old ones), loaded
 * by one COPY. received_at takes its default, as on the API's path.
 */
async function copyBaseline(url: string, orgs: string[]): Promise<{ rate: number; walPerRow: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // Read before the clock starts, as the API's request bodies are built before its clock: the baseline times PostgreSQL.
    const chunks: Buffer[] = [];
    const orgList = orgs.map((id) => `'${id}'::uuid`).join(', ');
    await pipeline(
      client.query(
        copyTo(
          `COPY (SELECT ${EVENT_COLUMNS.replace('event_id', "'copy-' || event_id")}
                   FROM usage_events WHERE organization_id IN (${orgList}) ORDER BY received_at, event_id) TO STDOUT`,
        ),
      ),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    const walBefore = await walPosition(client);
    const started = process.hrtime.bigint();
    const load = client.query(copyFrom(`COPY usage_events (${EVENT_COLUMNS}) FROM STDIN`));
    await pipeline(Readable.from(chunks), load);
    const rate = load.rowCount / (Number(process.hrtime.bigint() - started) / 1e9);
    return { rate, walPerRow: ((await walPosition(client)) - walBefore) / load.rowCount };
  } finally {
    await client.end();
  }
}
