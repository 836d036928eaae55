import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * The node-postgres client under a TypeORM transaction, for hot paths that
 * need what TypeORM does not offer: COPY, named prepared statements, several
 * statements in one round trip. It is the transaction's own connection.
 */
export function connectionOf(tx: EntityManager): Promise<PoolClient> {
  const runner = tx.queryRunner as unknown as { connect(): Promise<PoolClient> } | undefined;
  if (!runner) throw new Error('connectionOf needs an EntityManager bound to a query runner (a transaction)');
  return runner.connect();
}
