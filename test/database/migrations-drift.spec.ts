import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

describe('migrations', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new DataSource(dataSourceOptions(database.url));
    await db.initialize();
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
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
