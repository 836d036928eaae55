import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/*
 * The one place that reaches under TypeORM to node-postgres, for what TypeORM
 * does not offer: COPY, named prepared statements, several statements in one
 * round trip. It relies on TypeORM internals (the driver's `master` pool, a
 * query runner's `connect()`), pinned by test/database/pg-driver.spec.ts so
 * that an upgrade that changes them fails there rather than in production.
 */

/** The data source's node-postgres pool. */
export function poolOf(db: DataSource): Pool {
  return (db.driver as unknown as { master: Pool }).master;
}

/** The node-postgres client under a TypeORM transaction: the transaction's own connection. */
export function connectionOf(tx: EntityManager): Promise<PoolClient> {
  const runner = tx.queryRunner as unknown as { connect(): Promise<PoolClient> } | undefined;
  if (!runner) throw new Error('connectionOf needs an EntityManager bound to a query runner (a transaction)');
  return runner.connect();
}

/**
 * Runs a named prepared statement on the data source's pool: PostgreSQL
 * plans it once per connection instead of on every call, which for the
 * small hot reads (a usage report) costs more than executing them.
 */
export async function preparedQuery<T extends QueryResultRow>(db: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const result = await poolOf(db).query<T>({ name, text, values });
  return result.rows;
}

/**
 * Makes each query runner of `db` send a query only once its previous one has
 * answered. TypeORM 1.1's schema reader (PostgresQueryRunner.loadTables, behind
 * migration:generate and the migrations' drift test) looks up enum and array
 * columns' types with Promise.all on one connection, which node-postgres
 * deprecates (an error from pg 9). Not for the app: its paths await each query.
 */
export function oneQueryAtATime(db: DataSource): DataSource {
  const createQueryRunner = db.createQueryRunner.bind(db);
  db.createQueryRunner = (mode) => {
    const runner = createQueryRunner(mode);
    const query = runner.query.bind(runner);
    let previous: Promise<unknown> = Promise.resolve();
    runner.query = ((...args: Parameters<typeof query>) => {
      const next = previous.then(() => query(...args));
      previous = next.catch(() => undefined);
      return next;
    }) as typeof runner.query;
    return runner;
  };
  return db;
}
