import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import { connectionOf, poolOf, preparedQuery } from '../../src/common/database/pg-driver';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

// Pins the TypeORM internals pg-driver.ts relies on against the installed TypeORM: an upgrade that changes them fails here.
describe('node-postgres under TypeORM', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection: TypeORM's queries and the pool's are then on the same session, which the prepared-statement check needs.
    db = new DataSource(dataSourceOptions(database.url, { extra: { max: 1 } }));
    await db.initialize();
    await db.query('CREATE TABLE pg_driver_pin (v int NOT NULL)');
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it("gives the data source's own pg Pool", async () => {
    const pool = poolOf(db);
    expect(pool).toBeInstanceOf(Pool);
    expect(pool.options.max).toBe(1);
    const { rows } = await pool.query<{ name: string }>('SELECT current_database() AS name');
    expect(rows[0]?.name).toBe(database.name);
  });

  it('runs named prepared statements on that pool, prepared once per connection', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    expect(await preparedQuery<{ n: number }>(db, 'meterly_pin_prepared', text, [1])).toEqual([{ n: 2 }]);
    expect(await preparedQuery<{ n: number }>(db, 'meterly_pin_prepared', text, [41])).toEqual([{ n: 42 }]);
    const prepared = await db.query<Array<{ name: string }>>(`SELECT name FROM pg_prepared_statements WHERE name = 'meterly_pin_prepared'`);
    expect(prepared).toHaveLength(1);
  });

  it("gives a transaction's own connection: it sees the transaction's uncommitted writes and is rolled back with it", async () => {
    const rollback = new Error('roll back');
    await expect(
      db.transaction(async (tx) => {
        const client = await connectionOf(tx);
        expect(client).toBeInstanceOf(Client);
        expect(await connectionOf(tx)).toBe(client);
        await tx.query('INSERT INTO pg_driver_pin (v) VALUES (1)');
        await client.query('INSERT INTO pg_driver_pin (v) VALUES (2)');
        const { rows } = await client.query<{ v: number }>('SELECT v FROM pg_driver_pin ORDER BY v');
        expect(rows).toEqual([{ v: 1 }, { v: 2 }]);
        const [viaTx, viaClient] = [
          await tx.query<Array<{ id: string }>>('SELECT txid_current()::text AS id'),
          (await client.query<{ id: string }>('SELECT txid_current()::text AS id')).rows,
        ];
        expect(viaClient).toEqual(viaTx);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await db.query('SELECT v FROM pg_driver_pin')).toEqual([]);
  });

  it('answers several statements sent at once with one result each (the ingest relies on it)', async () => {
    await db.transaction(async (tx) => {
      const results = (await (await connectionOf(tx)).query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as Array<{ rows: unknown[] }>;
      expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    });
  });

  it('refuses a manager without a transaction', async () => {
    expect(() => connectionOf(db.manager)).toThrow(/transaction/);
  });
});
