import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Event ids, team, project and user keys, distinct values and session keys
 * are identifiers, not prose: compared byte by byte ("C") instead of through
 * the locale's strcoll, which was the largest cost of the idempotency-key
 * and rollup index inserts on every ingest batch. Equality is unchanged; only
 * the order of listings by key becomes byte order. ALTER … TYPE rebuilds the
 * indexes on these columns.
 */
export class ByteOrderKeys1796064873865 implements MigrationInterface {
    name = 'ByteOrderKeys1796064873865'

    public async up(queryRunner: QueryRunner): Promise<void> {
        for (const [table, column] of KEY_COLUMNS) {
            await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE text COLLATE "C"`);
        }
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        for (const [table, column] of [...KEY_COLUMNS].reverse()) {
            await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE text COLLATE pg_catalog."default"`);
        }
    }
}

const KEY_COLUMNS: ReadonlyArray<readonly [string, string]> = [
    ["teams", "key"],
    ["projects", "key"],
    ["users", "key"],
    ["usage_event_keys", "event_id"],
    // Partitioned: the parent's change reaches every partition.
    ["usage_events", "event_id"],
    ["usage_events", "team"],
    ["usage_events", "project"],
    ["usage_events", "user_key"],
    ["usage_rollups", "team"],
    ["usage_rollups", "project"],
    ["usage_rollups", "user_key"],
    ["usage_unique_values", "value"],
    ["usage_sessions", "session_key"],
];
