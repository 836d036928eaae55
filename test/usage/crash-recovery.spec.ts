import { Client } from 'pg';
import { freePort } from '../helpers/free-port';
import { GraphQLClient } from '../helpers/graphql-client';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { at, metricUsage, planWithOrganization, record } from '../helpers/usage-fixtures';

const ADMIN_KEY = 'mtr_crash-test-admin-key-00000000000000';
const BATCHES = 40;
const PER_BATCH = 250;

/** Deterministic batches, with ids repeated inside and across batches as a retrying client would. */
function batches() {
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: PER_BATCH }, (_, i) => {
      const n = b * PER_BATCH + i;
      const id = n % 10 === 9 ? `e-${n - 1}` : `e-${n}`; // every tenth repeats its neighbour
      return {
        id,
        metric: 'crash_calls',
        quantity: String((n % 7) + 0.25),
        timestamp: at(n % 300),
        team: `team-${n % 3}`,
        dimensions: { model: n % 2 ? 'a' : 'b' },
      };
    }),
  );
}

async function startOn(database: TestDatabase): Promise<ServerProcess> {
  return startServerProcess({
    ...process.env,
    DATABASE_URL: database.url,
    ADMIN_API_KEY: ADMIN_KEY,
    PORT: String(await freePort()),
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
  });
}

async function state(database: TestDatabase, admin: GraphQLClient, org: string) {
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    const [events] = (await db.query('SELECT count(*)::int AS n, sum(quantity)::text AS q, sum(cost)::text AS c FROM usage_events')).rows;
    const [rollups] = (
      await db.query('SELECT sum(quantity)::text AS q, sum(cost)::text AS c, sum(event_count)::int AS n FROM usage_rollups')
    ).rows;
    const [keys] = (await db.query('SELECT count(*)::int AS n FROM usage_event_keys')).rows;
    return { usage: await metricUsage(admin, org, 'crash_calls'), events, rollups, keys };
  } finally {
    await db.end();
  }
}

describe('a server killed in the middle of ingestion', () => {
  it('ends, after a restart and the same batches sent again, with exactly the totals of one clean run', async () => {
    const clean = await createTestDatabase();
    const crashed = await createTestDatabase();
    const setup = (admin: GraphQLClient) =>
      planWithOrganization(admin, [{ code: 'crash_calls', unit: 'call', aggregation: 'SUM' }], {
        code: 'crash',
        name: 'Crash',
        currency: 'USD',
        basePrice: '0',
        charges: [
          {
            metric: 'crash_calls',
            included: '100',
            model: 'GRADUATED',
            tiers: [{ upTo: '5000', unitPrice: '0.013' }, { unitPrice: '0.007' }],
          },
        ],
      });
    try {
      // The clean run.
      const reference = await startOn(clean);
      const cleanAdmin = new GraphQLClient(reference.url, ADMIN_KEY);
      const cleanOrg = await setup(cleanAdmin);
      for (const batch of batches()) await record(cleanAdmin, cleanOrg, batch);
      const expected = await state(clean, cleanAdmin, cleanOrg);
      expect(await reference.stop()).toBe(0);

      // The crash: batches in flight from 4 clients, SIGKILL once some have landed.
      let server = await startOn(crashed);
      let admin = new GraphQLClient(server.url, ADMIN_KEY);
      const org = await setup(admin);
      const all = batches();
      const inFlight = all.map((batch, i) =>
        new Promise((r) => setTimeout(r, (i % 4) * 2)).then(() => record(admin, org, batch)).catch(() => 'lost'),
      );
      const probe = new Client({ connectionString: crashed.url });
      await probe.connect();
      for (;;) {
        const n = (await probe.query('SELECT count(*)::int AS n FROM usage_event_keys')).rows[0].n as number;
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      await server.kill();
      const landed = (await probe.query('SELECT count(*)::int AS n FROM usage_event_keys')).rows[0].n as number;
      await probe.end();
      await Promise.all(inFlight);
      expect(landed).toBeGreaterThan(0);
      expect(landed).toBeLessThan(expected.keys.n);

      // Restart and send everything again.
      server = await startOn(crashed);
      admin = new GraphQLClient(server.url, ADMIN_KEY);
      for (const batch of all) await record(admin, org, batch);
      const after = await state(crashed, admin, org);
      expect(await server.stop()).toBe(0);

      expect(after).toEqual(expected);
      expect(after.rollups).toEqual({ q: after.events.q, c: after.events.c, n: after.events.n });
    } finally {
      await clean.drop();
      await crashed.drop();
    }
  }, 120_000);
});
