import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Operations for running a platform: when each API key was last used, and a
 * search of organisations by name.
 *
 * `last_used_at` is written about once a minute per key, so the trigger that
 * announces key changes to every node (ApiKeyChangeNotify) now fires only on
 * the columns that decide who a key is: otherwise every node would drop every
 * key in use from its cache each minute.
 *
 * The name search is a substring match (ILIKE '%…%'), which a B-tree cannot
 * serve; pg_trgm's GIN index can. It is a contrib extension, shipped with
 * PostgreSQL's usual packages and the embedded one: where it is missing, the
 * search still works by scanning the table.
 *
 * `alertTriggered(after)` replays an organisation's alerts after a `seq`, which an index on both serves.
 */
export class PlatformOperations1796295000000 implements MigrationInterface {
    name = 'PlatformOperations1796295000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "last_used_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`CREATE INDEX "ix_alerts_org_seq" ON "alerts" ("organization_id", "seq") `);
        await queryRunner.query(`DROP TRIGGER api_keys_changed ON "api_keys"`);
        await queryRunner.query(`CREATE TRIGGER api_keys_changed AFTER UPDATE OF key_hash, role, organization_id, revoked_at OR DELETE ON "api_keys" FOR EACH ROW EXECUTE FUNCTION meterly_api_key_changed()`);
        const available: unknown[] = await queryRunner.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'`);
        if (available.length > 0) {
            await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
            await queryRunner.query(`CREATE INDEX "ix_organizations_name_trgm" ON "organizations" USING gin (name gin_trgm_ops)`);
        }
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // The extension stays: it may serve others, and nothing of ours needs it once the index is gone.
        await queryRunner.query(`DROP INDEX IF EXISTS "ix_organizations_name_trgm"`);
        await queryRunner.query(`DROP TRIGGER api_keys_changed ON "api_keys"`);
        await queryRunner.query(`CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON "api_keys" FOR EACH ROW EXECUTE FUNCTION meterly_api_key_changed()`);
        await queryRunner.query(`DROP INDEX "ix_alerts_org_seq"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "last_used_at"`);
    }

}
