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
  type BenchServer,
  gql,
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

/** The bench plan with spend controls' companions: an auto-paused budget and requests per hour, neither reached by the load. */
const CONTROLLED_PLAN = `mutation { createPlan(input: { code: "bench_controlled", name: "Bench, controlled", currency: "USD", basePrice: "49",
  monthlyBudget: "1000000", autoPauseAtBudget: true, requestsPerHour: 1000000, charges: [
  { metric: "tokens", model: PER_UNIT, unitPrice: "0.00001", dimensionPrices: [{ dimensions: { model: "gpt-4" }, unitPrice: "0.00003" }, { dimensions: { model: "haiku" }, unitPrice: "0.00000025" }] },
  { metric: "requests", model: PACKAGE, included: "1000", packageSize: "500", packagePrice: "5" },
  { metric: "storage", model: PER_UNIT, included: "10", unitPrice: "0.1" },
  { metric: "seats", model: PER_UNIT, unitPrice: "20" },
  { metric: "hours", model: GRADUATED, tiers: [{ upTo: "100", unitPrice: "0.1" }, { unitPrice: "0.05" }] } ] }) { id } }`;

/** Organisations on the controlled plan, each with every spend control set and none reached by the load (an event costs at most 0.03). */
async function createControlledOrganizations(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { createOrganization } = await gql<{ createOrganization: { id: string } }>(
      url,
      `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
      { input: { name: `bench-controlled-${i}`, planCode: 'bench_controlled' } },
    );
    await gql(url, `mutation($input: SpendControlsInput!) { setSpendControls(input: $input) { autoPause } }`, {
      input: {
        organizationId: createOrganization.id,
        monthlyBudget: '500000',
        autoPause: true,
        perEventLimit: '100',
        perHourLimit: '100000',
        perDayLimit: '200000',
      },
    });
    ids.push(createOrganization.id);
  }
  return ids;
}

/** What sending some batches cost: summed over the parts of one variant of the load. */
interface Measured {
  seconds: number;
  serverCpu: number;
  pgCpu: number | null;
  loadCpu: number;
  wal: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

const nothingMeasured = (): Measured => ({
  seconds: 0,
  serverCpu: 0,
  pgCpu: 0,
  loadCpu: 0,
  wal: 0,
  accepted: 0,
  duplicates: 0,
  rejected: 0,
});

/** Sends `batches` and adds their time, CPU (server, PostgreSQL, load generator), WAL and answers to `into`. */
async function measure(server: BenchServer, wal: Client, batches: Batch[], into: Measured): Promise<void> {
  const walBefore = await walPosition(wal);
  const cpuBefore = server.cpuSeconds();
  const pgCpuBefore = postgresCpuSeconds();
  const loadCpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const counts = await send(server.url, batches);
  into.seconds += Number(process.hrtime.bigint() - started) / 1e9;
  into.serverCpu += server.cpuSeconds() - cpuBefore;
  const pgCpuAfter = postgresCpuSeconds();
  into.pgCpu = pgCpuBefore === null || pgCpuAfter === null || into.pgCpu === null ? null : into.pgCpu + pgCpuAfter - pgCpuBefore;
  const loadCpu = process.cpuUsage(loadCpuBefore);
  into.loadCpu += (loadCpu.user + loadCpu.system) / 1e6;
  into.wal += (await walPosition(wal)) - walBefore;
  into.accepted += counts.accepted;
  into.duplicates += counts.duplicates;
  into.rejected += counts.rejected;
}

/**
 * `warmUpEvents` go first, uncounted, to organisations of their own: the
 * server's CPU per batch falls from about 20 to 8 ms over its first hundred
 * batches while V8 compiles the hot paths, and the figure is the steady
 * state, as the read benchmark's is.
 *
 * The same load goes, in the same run, to organisations with every spend
 * control on (a budget that auto-pauses, per-event, per-hour and per-day
 * limits, requests per hour), none of them reached: the second result is
 * that figure against the first. Each load is sent in two halves, in the
 * order plain, controlled, controlled, plain, so that neither always meets
 * the fuller tables.
 */
export async function ingestBenchmark(db: BenchDatabase, totalEvents: number, warmUpEvents: number): Promise<BenchResult[]> {
  const server = await startServerProcess(db.url);
  try {
    await createCatalog(server.url);
    await gql(server.url, CONTROLLED_PLAN);
    const orgs = await createOrganizations(server.url, ORGS);
    const controlledOrgs = await createControlledOrganizations(server.url, ORGS);
    await send(server.url, buildBatches(await createOrganizations(server.url, 10), warmUpEvents));
    await send(server.url, buildBatches(await createControlledOrganizations(server.url, 10), warmUpEvents));
    const batches = buildBatches(orgs, totalEvents);
    const controlledBatches = buildBatches(controlledOrgs, totalEvents);
    const halves = (list: Batch[]) => [list.slice(0, list.length / 2), list.slice(list.length / 2)] as const;
    const [plainFirst, plainSecond] = halves(batches);
    const [controlledFirst, controlledSecond] = halves(controlledBatches);
    const wal = new Client({ connectionString: db.url });
    await wal.connect();
    const plain = nothingMeasured();
    const controlled = nothingMeasured();
    await measure(server, wal, plainFirst, plain);
    await measure(server, wal, controlledFirst, controlled);
    await measure(server, wal, controlledSecond, controlled);
    await measure(server, wal, plainSecond, plain);
    await wal.end();
    const perBatchMs = (cpuSeconds: number) => ((cpuSeconds * 1000) / (totalEvents / BATCH)).toFixed(1);
    const cpuLine = (m: Measured) =>
      `CPU per batch of ${BATCH} events, in ms: server ${perBatchMs(m.serverCpu)}, PostgreSQL ${
        m.pgCpu === null ? 'not visible (external DATABASE_URL)' : perBatchMs(m.pgCpu)
      }, load generator ${perBatchMs(m.loadCpu)}`;
    const dataSize = (m: Measured) =>
      `${totalEvents.toLocaleString('en')} events (${m.accepted.toLocaleString('en')} accepted, ${m.duplicates.toLocaleString('en')} duplicates, ${m.rejected} rejected), ${ORGS} organisations`;
    const rate = plain.accepted / plain.seconds;
    const controlledRate = controlled.accepted / controlled.seconds;
    const copy = await copyBaseline(db.url, orgs);
    const ratio = rate / copy.rate;
    const controlsRatio = controlledRate / rate;
    return [
      {
        name: 'ingest (recordUsage over HTTP, 4 clients × batches of 1,000)',
        figure: `${Math.round(rate).toLocaleString('en')} events/s`,
        baseline: `COPY of the same rows ${Math.round(copy.rate).toLocaleString('en')} rows/s`,
        ratio: ratio.toFixed(2),
        dataSize: dataSize(plain),
        goal: '≥ 50,000 events/s and ≥ 0.5 × COPY',
        met: rate >= 50_000 && ratio >= 0.5,
        details: [
          cpuLine(plain),
          `WAL per event: ${Math.round(plain.wal / plain.accepted)} bytes through the API (event, idempotency key, rollups, totals), ${Math.round(copy.walPerRow)} through COPY`,
          `after a warm-up of ${warmUpEvents.toLocaleString('en')} events to other organisations, not counted`,
        ],
      },
      {
        name: 'ingest with spend controls on (the same load; budget with auto-pause, per-event, per-hour and per-day limits, requests per hour, none reached)',
        figure: `${Math.round(controlledRate).toLocaleString('en')} events/s`,
        baseline: `without spend controls, in the same run: ${Math.round(rate).toLocaleString('en')} events/s`,
        ratio: controlsRatio.toFixed(2),
        dataSize: dataSize(controlled),
        goal: 'within 10 % of the figure without them (ratio ≥ 0.90), nothing rejected',
        met: controlsRatio >= 0.9 && controlled.rejected === 0,
        details: [
          cpuLine(controlled),
          `WAL per event: ${Math.round(controlled.wal / controlled.accepted)} bytes`,
          'each load sent in two halves, plain, controlled, controlled, plain',
        ],
      },
    ];
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
