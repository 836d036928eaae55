import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The DAILY_PEAK_AVERAGE aggregation (storage billed as the peak of each day averaged over the month), and the
 * readings of each day that ingest prices new readings against. Reverting fails while a metric still uses it.
 */
export class DailyPeakAverage1796292500000 implements MigrationInterface {
    name = 'DailyPeakAverage1796292500000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TYPE "public"."aggregation" ADD VALUE 'DAILY_PEAK_AVERAGE'`);
        await queryRunner.query(`CREATE TABLE "usage_daily_peaks" ("organization_id" uuid NOT NULL, "metric_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "day" TIMESTAMP WITH TIME ZONE NOT NULL, "peak" numeric NOT NULL, "close_quantity" numeric NOT NULL, "close_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "CHK_usage_daily_peaks_bounded" CHECK (abs("peak") < 1e18 AND scale("peak") <= 20 AND abs("close_quantity") < 1e18 AND scale("close_quantity") <= 20), CONSTRAINT "PK_534f180c9f929015dd667877cbe" PRIMARY KEY ("organization_id", "metric_id", "period_start", "day"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "usage_daily_peaks"`);
        await queryRunner.query(`ALTER TYPE "public"."aggregation" RENAME TO "aggregation_old"`);
        await queryRunner.query(`CREATE TYPE "public"."aggregation" AS ENUM('SUM', 'COUNT', 'MAX', 'UNIQUE_COUNT', 'LATEST')`);
        await queryRunner.query(`ALTER TABLE "metrics" ALTER COLUMN "aggregation" TYPE "public"."aggregation" USING "aggregation"::"text"::"public"."aggregation"`);
        await queryRunner.query(`DROP TYPE "public"."aggregation_old"`);
    }

}
