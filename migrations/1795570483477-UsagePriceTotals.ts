import { MigrationInterface, QueryRunner } from "typeorm";

/** Per-price totals of rate-card metrics, kept at ingest so reads and invoices never scan rollups. */
export class UsagePriceTotals1795570483477 implements MigrationInterface {
    name = 'UsagePriceTotals1795570483477'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "usage_price_totals" ("organization_id" uuid NOT NULL, "metric_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "label" text NOT NULL, "unit_price" numeric, "quantity" numeric NOT NULL, "cost" numeric NOT NULL, CONSTRAINT "PK_51b67aeebfdc04e343029e963aa" PRIMARY KEY ("organization_id", "metric_id", "period_start", "label"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "usage_price_totals"`);
    }

}
