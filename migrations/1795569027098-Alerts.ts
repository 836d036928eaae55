import { MigrationInterface, QueryRunner } from "typeorm";

/** Alert rules, fired alerts (one per rule and window) and the outbox of their deliveries. */
export class Alerts1795569027098 implements MigrationInterface {
    name = 'Alerts1795569027098'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "alert_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "alert_id" uuid NOT NULL, "channel" text NOT NULL, "target" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "delivered_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b3d51c95891264fb62df41582ad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_alert_deliveries_due" ON "alert_deliveries"  ("next_attempt_at") WHERE "delivered_at" IS NULL`);
        await queryRunner.query(`CREATE TYPE "public"."alert_severity" AS ENUM('INFO', 'WARNING', 'CRITICAL')`);
        await queryRunner.query(`CREATE TABLE "alert_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "kind" text NOT NULL, "metric_id" uuid, "threshold_percent" numeric, "threshold_amount" numeric, "severity" "public"."alert_severity" NOT NULL, "channels" text array NOT NULL, "window" text NOT NULL DEFAULT 'PERIOD', "team" text, "project" text, "is_default" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ae580564f087ffab9d229225aec" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_alert_rules_org" ON "alert_rules"  ("organization_id") `);
        await queryRunner.query(`CREATE TABLE "alerts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "seq" BIGSERIAL NOT NULL, "rule_id" uuid, "dedup_key" text NOT NULL, "kind" text NOT NULL, "severity" "public"."alert_severity" NOT NULL, "metric_code" text, "threshold" numeric NOT NULL, "value" numeric NOT NULL, "message" text NOT NULL, "channels" text array NOT NULL, "triggered_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acknowledged_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_alerts_dedup" ON "alerts"  ("dedup_key") `);
        await queryRunner.query(`CREATE INDEX "ix_alerts_org_triggered" ON "alerts"  ("organization_id", "triggered_at") `);
        await queryRunner.query(`ALTER TABLE "organizations" ADD "alert_webhook_url" text`);
        await queryRunner.query(`ALTER TABLE "organizations" ADD "alert_webhook_secret" text`);
        // Organisations that exist already get the default rules every new one gets.
        await queryRunner.query(`INSERT INTO "alert_rules" ("organization_id", "kind", "threshold_percent", "severity", "channels", "is_default")
            SELECT o.id, d.kind, d.pct, d.severity::alert_severity, '{in_app,email}', true FROM "organizations" o
            CROSS JOIN (VALUES ('USAGE', 80, 'WARNING'), ('USAGE', 95, 'CRITICAL'), ('USAGE', 100, 'CRITICAL'),
                               ('COST', 50, 'INFO'), ('COST', 80, 'WARNING'), ('COST', 95, 'CRITICAL')) AS d(kind, pct, severity)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "alert_webhook_secret"`);
        await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "alert_webhook_url"`);
        await queryRunner.query(`DROP INDEX "public"."ix_alerts_org_triggered"`);
        await queryRunner.query(`DROP INDEX "public"."uq_alerts_dedup"`);
        await queryRunner.query(`DROP TABLE "alerts"`);
        await queryRunner.query(`DROP INDEX "public"."ix_alert_rules_org"`);
        await queryRunner.query(`DROP TABLE "alert_rules"`);
        await queryRunner.query(`DROP TYPE "public"."alert_severity"`);
        await queryRunner.query(`DROP INDEX "public"."ix_alert_deliveries_due"`);
        await queryRunner.query(`DROP TABLE "alert_deliveries"`);
    }

}
