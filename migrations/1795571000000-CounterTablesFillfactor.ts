import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Every ingest batch updates the same rollup, total and price rows in place;
 * none of the updated columns is indexed, so with free room on the page
 * PostgreSQL updates them HOT (no new index entries, pruned on the page).
 * Applies to pages written from now on.
 */
export class CounterTablesFillfactor1795571000000 implements MigrationInterface {
    name = 'CounterTablesFillfactor1795571000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "usage_rollups" SET (fillfactor = 70)`);
        await queryRunner.query(`ALTER TABLE "usage_totals" SET (fillfactor = 50)`);
        await queryRunner.query(`ALTER TABLE "usage_price_totals" SET (fillfactor = 50)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "usage_price_totals" RESET (fillfactor)`);
        await queryRunner.query(`ALTER TABLE "usage_totals" RESET (fillfactor)`);
        await queryRunner.query(`ALTER TABLE "usage_rollups" RESET (fillfactor)`);
    }
}
