import type { DataSource } from 'typeorm';

/** Monthly partitions of usage_events from last month to three months ahead (the function is in the migration). */
export async function ensureUsagePartitions(db: DataSource): Promise<void> {
  await db.query(`SELECT meterly_ensure_usage_partitions(now() - interval '1 month', 5)`);
}
