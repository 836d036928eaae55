import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Statement emails (the outbox of invoices and receipts sent to billing contacts) and SMS alerts: each
 * organisation's SMS recipients, and the default critical usage rules (95 % and 100 %) texted to them (seed 003).
 */
export class StatementsSmsAlerts1796298000000 implements MigrationInterface {
    name = 'StatementsSmsAlerts1796298000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "statement_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "invoice_id" uuid NOT NULL, "kind" text NOT NULL, "recipient" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "delivered_at" TIMESTAMP WITH TIME ZONE, "smtp_message_id" text, "smtp_response" text, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9d739b89470bbbbf3095a96582d" PRIMARY KEY ("id", "organization_id"))`);
        await queryRunner.query(`CREATE INDEX "ix_statement_deliveries_due" ON "statement_deliveries"  ("next_attempt_at") WHERE "delivered_at" IS NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_statement_deliveries_recipient" ON "statement_deliveries"  ("organization_id", "invoice_id", "kind", "recipient") `);
        await queryRunner.query(`ALTER TABLE "organizations" ADD "alert_sms_recipients" text array NOT NULL DEFAULT '{}'`);
        await queryRunner.query(`UPDATE "alert_rules" SET "channels" = array_append("channels", 'sms') WHERE "is_default" AND "kind" = 'USAGE' AND "severity" = 'CRITICAL' AND NOT 'sms' = ANY("channels")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`UPDATE "alert_rules" SET "channels" = array_remove("channels", 'sms') WHERE "is_default"`);
        await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "alert_sms_recipients"`);
        await queryRunner.query(`DROP INDEX "public"."uq_statement_deliveries_recipient"`);
        await queryRunner.query(`DROP INDEX "public"."ix_statement_deliveries_due"`);
        await queryRunner.query(`DROP TABLE "statement_deliveries"`);
    }

}
