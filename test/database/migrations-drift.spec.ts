import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import { oneQueryAtATime } from '../../src/common/database/pg-driver';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/**
 * Records each query sent to a pg client while it still runs another: node-postgres deprecates it (an error
 * from pg 9), but warns once per process, so a listener would miss the second offender.
 */
function watchBusyClients(): { busy: string[]; stop(): void } {
  const busy: string[] = [];
  const running = new WeakMap<Client, number>();
  const query = Client.prototype.query as (this: Client, ...args: unknown[]) => unknown;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const count = running.get(this) ?? 0;
    if (count > 0) busy.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text).slice(0, 100));
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      running.set(this, count + 1);
      const done = () => running.set(this, (running.get(this) ?? 1) - 1);
      result.then(done, done);
    }
    return result;
  } as typeof Client.prototype.query;
  return { busy, stop: () => void (Client.prototype.query = query as typeof Client.prototype.query) };
}

describe('migrations', () => {
  let database: TestDatabase;
  let db: DataSource;
  const clients = watchBusyClients();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = oneQueryAtATime(new DataSource(dataSourceOptions(database.url)));
    await db.initialize();
  });
  afterAll(async () => {
    clients.stop();
    await db.destroy();
    await database.drop();
  });

  afterEach(() => {
    expect(clients.busy).toEqual([]);
  });

  it('leave nothing for the entities to change (run `npm run migration:generate -- migrations/Name`)', async () => {
    const pending = await db.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('all have been applied to the template', async () => {
    expect(await db.showMigrations()).toBe(false);
  });

  it('can be reverted one by one and applied again', async () => {
    const count = db.migrations.length;
    for (let i = 0; i < count; i++) await db.undoLastMigration({ transaction: 'each' });
    const { rows } = {
      rows: await db.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`,
      ),
    };
    expect(rows[0]?.n).toBe(0);
    await db.runMigrations({ transaction: 'each' });
    expect((await db.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
