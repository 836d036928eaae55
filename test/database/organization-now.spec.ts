import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

describe('organization_now(o)', () => {
  let database: TestDatabase;
  let client: Client;
  let simulated: string;
  let real: string;
  const CLOCK = new Date('2031-06-03T04:05:06Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO organizations (name, currency, test_clock_at) VALUES ('Simulated', 'USD', $1), ('Real', 'USD', NULL) RETURNING id`,
      [CLOCK],
    );
    [simulated, real] = rows.map((r) => r.id) as [string, string];
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  const nowOf = async (id: string) =>
    (
      await client.query<{ at: Date; db_now: Date }>(
        'SELECT organization_now(o) AS at, now() AS db_now FROM organizations o WHERE o.id = $1',
        [id],
      )
    ).rows[0]!;

  it("is a simulated organisation's test clock", async () => {
    expect((await nowOf(simulated)).at).toEqual(CLOCK);
  });

  it("is the database's now() for a real organisation", async () => {
    const row = await nowOf(real);
    expect(row.at).toEqual(row.db_now);
  });

  it('follows the test clock when it moves', async () => {
    const later = new Date('2031-07-01T00:00:00Z');
    await client.query('UPDATE organizations SET test_clock_at = $2 WHERE id = $1', [simulated, later]);
    expect((await nowOf(simulated)).at).toEqual(later);
    await client.query('UPDATE organizations SET test_clock_at = $2 WHERE id = $1', [simulated, CLOCK]);
  });

  it('is inlined into a statement over many organisations: no call, so no lookup, per row', async () => {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (VERBOSE, COSTS OFF)
       SELECT s.organization_id FROM plan_subscriptions s JOIN organizations o ON o.id = s.organization_id
        WHERE s.current_period_end <= organization_now(o)`,
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/COALESCE\(o\.test_clock_at, now\(\)\)/);
    expect(plan).not.toMatch(/organization_now/);
  });
});
