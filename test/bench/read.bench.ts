import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { createCatalog, createOrganizations, percentile, post, startServerProcess, type BenchDatabase, type BenchResult } from './harness';

const QUERIES = 1000;
const CLIENTS = 4;
/**
 * Queries before the measured ones. The server's CPU per query keeps falling
 * for its first few thousand queries (from about 1 ms to a quarter of that) while V8
 * optimises the request path in each worker; the goal is about serving at
 * 10 M events, not about a process that has just started.
 */
const WARM_UP = 8000;
/**
 * The two sizes are measured in alternating rounds, so that a burst of
 * background work on the shared cores (the kernel flushing, PostgreSQL's own
 * processes) lands on both rather than deciding their ratio.
 */
const ROUNDS = 5;
const USAGE = `query($id: ID!) { usage(organizationId: $id) { periodStart periodEnd totalCost { amount currency }
  metrics { metric unit used included limit remaining percentage cost { amount currency } nearLimit blocked } } }`;

/**
 * Loads `events` events for one organisation the way ingestion stores them —
 * raw events, hourly rollups by team, project, user and model, period totals —
 * with set-based SQL, so that 10 million rows take a minute, not an hour.
 */
async function load(url: string, organizationId: string, events: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const metricId = ((await client.query(`SELECT id FROM metrics WHERE code = 'tokens'`)).rows as Array<{ id: string }>)[0]!.id;
    const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    const span = Math.max(1, Math.min(Date.now() - start.getTime(), 27 * 86_400_000));
    await client.query(`SET synchronous_commit = off`);
    await client.query(
      `INSERT INTO usage_events (organization_id, event_id, metric_id, occurred_at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions)
       SELECT $1, 'r-' || n, $2, $3::timestamptz + (n % $5) * ($6::bigint / $5) * interval '1 millisecond', 100 + n % 900, 100 + n % 900, 100 + n % 900,
              (100 + n % 900) * CASE WHEN n % 3 = 0 THEN 0.00001 ELSE 0.00003 END,
              'team-' || n % 8, 'project-' || n % 5, 'user-' || n % 50,
              jsonb_build_object('model', CASE WHEN n % 3 = 0 THEN 'haiku' ELSE 'gpt-4' END)
         FROM generate_series(1, $4::int) AS n`,
      [organizationId, metricId, start.toISOString(), events, Math.min(events, 100_000), span],
    );
    await client.query(
      `INSERT INTO usage_rollups (organization_id, metric_id, bucket_start, team, project, user_key, dimensions, quantity, cost, event_count, max_quantity, latest_at, latest_quantity)
       SELECT organization_id, metric_id, date_trunc('hour', occurred_at), team, project, user_key, dimensions, sum(delta), sum(cost), count(*), max(quantity), max(occurred_at), max(quantity)
         FROM usage_events WHERE organization_id = $1 GROUP BY 1, 2, 3, 4, 5, 6, 7`,
      [organizationId],
    );
    await client.query(
      `INSERT INTO usage_totals (organization_id, metric_id, period_start, quantity, cost, event_count)
       SELECT organization_id, metric_id, $2::timestamptz, sum(delta), sum(cost), count(*) FROM usage_events WHERE organization_id = $1 GROUP BY 1, 2`,
      [organizationId, start.toISOString()],
    );
    // Leave the tables as a long-running system has them: vacuumed and analysed, so that no autovacuum
    // of the bulk load competes with the measured reads.
    await client.query('VACUUM (ANALYZE) usage_events, usage_rollups, usage_totals');
    await client.query('CHECKPOINT');
    // and with the gigabytes just written already on disk, not being flushed by the kernel during the reads.
    execFileSync('sync');
  } finally {
    await client.end();
  }
}

async function latencies(url: string, organizationId: string, queries: number): Promise<number[]> {
  const body = JSON.stringify({ query: USAGE, variables: { id: organizationId } });
  const samples: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next++ < queries) {
        const started = process.hrtime.bigint();
        const json = JSON.parse(await post(url, body)) as { errors?: unknown };
        if (json.errors) throw new Error(JSON.stringify(json.errors));
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  return samples;
}

/** The same numbers straight from the rollup tables, without the API: what the read costs at the bottom. */
async function rawSql(url: string, organizationId: string): Promise<number[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const samples: number[] = [];
  try {
    for (let i = 0; i < QUERIES; i++) {
      const started = process.hrtime.bigint();
      await client.query(
        `SELECT t.metric_id, sum(t.quantity), sum(t.cost) FROM usage_totals t WHERE t.organization_id = $1 AND t.period_start >= date_trunc('month', now()) GROUP BY 1`,
        [organizationId],
      );
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    await client.end();
  }
  return samples.sort((a, b) => a - b);
}

export async function readBenchmark(db: BenchDatabase, large: number, small: number): Promise<BenchResult> {
  const server = await startServerProcess(db.url);
  try {
    await createCatalog(server.url);
    const [smallOrg, largeOrg] = await createOrganizations(server.url, 2);
    await load(db.url, smallOrg!, small);
    await load(db.url, largeOrg!, large);
    await latencies(server.url, largeOrg!, WARM_UP);
    const atSmall: number[] = [];
    const atLarge: number[] = [];
    let largeCpuSeconds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      atSmall.push(...(await latencies(server.url, smallOrg!, QUERIES / ROUNDS)));
      const cpuBefore = server.cpuSeconds();
      atLarge.push(...(await latencies(server.url, largeOrg!, QUERIES / ROUNDS)));
      largeCpuSeconds += server.cpuSeconds() - cpuBefore;
    }
    atSmall.sort((a, b) => a - b);
    atLarge.sort((a, b) => a - b);
    const cpuPerQuery = (largeCpuSeconds * 1e6) / QUERIES;
    const raw = await rawSql(db.url, largeOrg!);
    const p99Large = percentile(atLarge, 99);
    const p99Small = percentile(atSmall, 99);
    const growth = p99Large / p99Small;
    return {
      name: 'read (usage, current period, all metrics; 1,000 queries from 4 clients)',
      figure: `p50 ${percentile(atLarge, 50).toFixed(2)} ms, p99 ${p99Large.toFixed(2)} ms at ${large.toLocaleString('en')} events`,
      baseline: `p99 ${p99Small.toFixed(2)} ms at ${small.toLocaleString('en')} events; raw SQL on rollups p50 ${percentile(raw, 50).toFixed(2)} ms, p99 ${percentile(raw, 99).toFixed(2)} ms`,
      ratio: `${growth.toFixed(2)} (p99 large / small)`,
      dataSize: `${large.toLocaleString('en')} and ${small.toLocaleString('en')} events in one organisation each`,
      goal: 'p99 ≤ 10 ms and p99 at the large size ≤ 1.5 × p99 at the small one',
      met: p99Large <= 10 && growth <= 1.5,
      details: [
        `server CPU per query at the large size: ${Math.round(cpuPerQuery)} µs, after ${WARM_UP.toLocaleString('en')} warm-up queries`,
      ],
    };
  } finally {
    await server.stop();
  }
}
