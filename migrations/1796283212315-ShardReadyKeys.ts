import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Keys a sharded PostgreSQL (Citus, tenant tables distributed by organization_id) can enforce: every
 * primary key and unique index of a tenant table holds organization_id, so each is checked on one shard
 * (test/database/shard-ready.spec.ts states the rule and classifies every table). The id comes first
 * in the new keys, so lookups by id alone still use them. Invoice lines, credit applications and alert
 * deliveries gain the column, copied from their invoice, grant and alert. API keys become a reference
 * table, which may not reference a distributed one, so their organisation is no longer a foreign key.
 */
export class ShardReadyKeys1796283212315 implements MigrationInterface {
    name = 'ShardReadyKeys1796283212315'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_a283bdef18876e525aefaec042f"`);
        await queryRunner.query(`DROP INDEX "public"."uq_alerts_dedup"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_alerts_dedup" ON "alerts"  ("organization_id", "dedup_key") `);

        await queryRunner.query(`ALTER TABLE "invoice_lines" ADD "organization_id" uuid`);
        await queryRunner.query(`UPDATE "invoice_lines" l SET "organization_id" = i."organization_id" FROM "invoices" i WHERE i."id" = l."invoice_id"`);
        await queryRunner.query(`ALTER TABLE "credit_applications" ADD "organization_id" uuid`);
        await queryRunner.query(`UPDATE "credit_applications" a SET "organization_id" = g."organization_id" FROM "credit_grants" g WHERE g."id" = a."grant_id"`);
        await queryRunner.query(`ALTER TABLE "alert_deliveries" ADD "organization_id" uuid`);
        await queryRunner.query(`UPDATE "alert_deliveries" d SET "organization_id" = a."organization_id" FROM "alerts" a WHERE a."id" = d."alert_id"`);
        for (const table of ["invoice_lines", "credit_applications", "alert_deliveries"]) {
            await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "organization_id" SET NOT NULL`);
        }

        for (const [table, oldName, newName, columns] of PRIMARY_KEYS) {
            await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${oldName}"`);
            await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${newName}" PRIMARY KEY (${[...columns, "organization_id"].map((c) => `"${c}"`).join(", ")})`);
        }
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        for (const [table, oldName, newName, columns] of [...PRIMARY_KEYS].reverse()) {
            await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${newName}"`);
            await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${oldName}" PRIMARY KEY (${columns.map((c) => `"${c}"`).join(", ")})`);
        }
        await queryRunner.query(`ALTER TABLE "alert_deliveries" DROP COLUMN "organization_id"`);
        await queryRunner.query(`ALTER TABLE "credit_applications" DROP COLUMN "organization_id"`);
        await queryRunner.query(`ALTER TABLE "invoice_lines" DROP COLUMN "organization_id"`);
        await queryRunner.query(`DROP INDEX "public"."uq_alerts_dedup"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_alerts_dedup" ON "alerts"  ("dedup_key") `);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a283bdef18876e525aefaec042f" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }
}

/** Table, old and new constraint name (TypeORM's), and the old key's columns; organization_id is appended. */
const PRIMARY_KEYS: ReadonlyArray<readonly [string, string, string, readonly string[]]> = [
    ["alert_deliveries", "PK_b3d51c95891264fb62df41582ad", "PK_81c003ff5246aefa65001d3b45e", ["id"]],
    ["credit_applications", "PK_4b559aa0639976c81befa5bc9e8", "PK_f2fc9eb6c5d12632458db4966e5", ["invoice_id", "grant_id"]],
    ["invoice_lines", "PK_3d18eb48142b916f581f0c21a65", "PK_eb3c5fe26ef06d281e7bdb49aba", ["id"]],
    ["alert_rules", "PK_ae580564f087ffab9d229225aec", "PK_7ee51a1aa4efd9df1955e254a84", ["id"]],
    ["alerts", "PK_60f895662df096bfcdfab7f4b96", "PK_a806cebbaf530711dd31b12dc40", ["id"]],
    ["projects", "PK_6271df0a7aed1d6c0691ce6ac50", "PK_298cd09a3e23249c9fa1bb250da", ["id"]],
    ["teams", "PK_7e5523774a38b08a6236d322403", "PK_b0c0ead27ef9eb7af1c37e61233", ["id"]],
    ["users", "PK_a3ffb1c0c8416b9fc6f907b7433", "PK_d44e049baf1987168ad1b16c945", ["id"]],
    ["plan_subscriptions", "PK_fbecd15ea78b4de498d0b0b4b00", "PK_9c1b39e11e6577dfa1f35dca52e", ["id"]],
    ["credit_grants", "PK_96397f777dbd187ab013c6df4c2", "PK_0652fcac6d648bc42371dceab59", ["id"]],
    ["invoice_items", "PK_53b99f9e0e2945e69de1a12b75a", "PK_5eb5c3fb23959713501541d0063", ["id"]],
    ["invoices", "PK_668cef7c22a427fd822cc1be3ce", "PK_2d05c7f81703d1b508bb4314bf8", ["id"]],
    ["plan_changes", "PK_fef9d45e83ae50ee0f4b7cc20ba", "PK_70b2f4a19e5a384f4331b057710", ["id"]],
    ["usage_sessions", "PK_42692592ebe042eacacc1647dc7", "PK_a43c5768af419edb6baf0e8da02", ["id"]],
];
