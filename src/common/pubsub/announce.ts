import type { DataSource } from 'typeorm';
import type { ChangeBus } from './change-bus';

/**
 * Announces organisations on a bus after a write that has committed, for
 * writers outside ingest: a NOTIFY of its own where the bus listens on
 * PostgreSQL, else the bus publishes.
 */
export async function announceChanges(bus: ChangeBus, db: DataSource, organizationIds: string[]): Promise<void> {
  if (organizationIds.length === 0) return;
  if (bus.notifyChannel) {
    await db.query('SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id', [bus.notifyChannel, organizationIds]);
  } else {
    await bus.afterCommitAll(organizationIds);
  }
}
