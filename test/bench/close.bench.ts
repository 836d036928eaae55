import { Client } from 'pg';
import { createCatalog, gql, startServerProcess, type BenchDatabase, type BenchResult } from './harness';

/**
 * `organizations` customers, each with a month of usage on five metrics (one
 * priced by a rate card), loaded set-based the way ingestion leaves it; their
 * period ended at the start of this month.
 */
async function load(url: string, organizations: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const now = new Date();
    const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    await client.query(`CREATE TEMP TABLE bench_orgs AS SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1::int) AS n`, [
      organizations,
    ]);
    await client.query(`INSERT INTO organizations (id, name, currency) SELECT id, 'close-' || n, 'USD' FROM bench_orgs`);
    await client.query(
      `INSERT INTO plan_subscriptions (organization_id, plan_id, period_plan_id, status, current_period_start, current_period_end)
       SELECT o.id, p.id, p.id, 'active', $1, $2 FROM bench_orgs o, plans p WHERE p.code = 'bench'`,
      [start.toISOString(), end.toISOString()],
    );
    await client.query(
      `INSERT INTO usage_totals (organization_id, metric_id, period_start, quantity, cost, event_count)
       SELECT o.id, m.id, $1, 1000 + o.n % 5000, (1000 + o.n % 5000) * 0.0001, 1000 FROM bench_orgs o, metrics m`,
      [start.toISOString()],
    );
    await client.query(
      `INSERT INTO usage_price_totals (organization_id, metric_id, period_start, label, unit_price, quantity, cost)
       SELECT o.id, m.id, $1, l.label, l.price, 500 + o.n % 2500, (500 + o.n % 2500) * l.price
         FROM bench_orgs o, metrics m, (VALUES ('model gpt-4', 0.00003), ('model haiku', 0.00000025)) AS l(label, price) WHERE m.code = 'tokens'`,
      [start.toISOString()],
    );
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/** PostgreSQL writing the same number of invoice lines in one INSERT … SELECT: the floor. */
async function baseline(url: string, lines: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE invoice_lines_baseline (LIKE invoice_lines INCLUDING ALL)');
    const started = process.hrtime.bigint();
    await client.query(
      `INSERT INTO invoice_lines_baseline (organization_id, invoice_id, position, kind, description, metric_code, quantity, unit_price, amount)
       SELECT gen_random_uuid(), gen_random_uuid(), n % 7, 'usage', 'Tokens (model gpt-4)', 'tokens', n, 0.00003, round(n * 0.00003, 2) FROM generate_series(1, $1::int) AS n`,
      [lines],
    );
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await client.query('DROP TABLE IF EXISTS invoice_lines_baseline');
    await client.end();
  }
}

export async function closeBenchmark(db: BenchDatabase, organizations: number): Promise<BenchResult> {
  const server = await startServerProcess(db.url);
  try {
    await createCatalog(server.url);
    await load(db.url, organizations);
    const started = process.hrtime.bigint();
    const { closeBillingPeriod } = await gql<{ closeBillingPeriod: { invoicesCreated: number } }>(
      server.url,
      'mutation { closeBillingPeriod(input: {}) { invoicesCreated } }',
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const lines = Number((await client.query('SELECT count(*) AS n FROM invoice_lines')).rows[0].n);
    await client.end();
    const floor = await baseline(db.url, lines);
    return {
      name: 'period close (closeBillingPeriod for every organisation)',
      figure: `${seconds.toFixed(2)} s for ${closeBillingPeriod.invoicesCreated.toLocaleString('en')} invoices`,
      baseline: `one INSERT … SELECT of the same ${lines.toLocaleString('en')} lines: ${floor.toFixed(2)} s`,
      ratio: (seconds / floor).toFixed(1),
      dataSize: `${organizations.toLocaleString('en')} organisations × 5 metrics (one rate card: 2 prices), a month of usage`,
      goal: '≤ 60 s and ≤ 5 × the baseline',
      met: seconds <= 60 && seconds / floor <= 5 && closeBillingPeriod.invoicesCreated === organizations,
    };
  } finally {
    await server.stop();
  }
}
