import { MigrationInterface, QueryRunner } from "typeorm";

/** Invoices and their lines, per-organisation numbering, one-off items, credits and the plan-change history. */
export class Invoicing1795567783556 implements MigrationInterface {
    name = 'Invoicing1795567783556'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "credit_applications" ("invoice_id" uuid NOT NULL, "grant_id" uuid NOT NULL, "amount" numeric NOT NULL, CONSTRAINT "PK_4b559aa0639976c81befa5bc9e8" PRIMARY KEY ("invoice_id", "grant_id"))`);
        await queryRunner.query(`CREATE TABLE "credit_grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "amount" numeric NOT NULL, "remaining" numeric NOT NULL, "reason" text, "expires_at" TIMESTAMP WITH TIME ZONE, "granted_by_key_id" text, "granted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_96397f777dbd187ab013c6df4c2" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_credit_grants_org" ON "credit_grants"  ("organization_id", "expires_at") `);
        await queryRunner.query(`CREATE TABLE "invoice_counters" ("organization_id" uuid NOT NULL, "last_sequence" integer NOT NULL, CONSTRAINT "PK_9d1d92db3983f90cef57adec541" PRIMARY KEY ("organization_id"))`);
        await queryRunner.query(`CREATE TABLE "invoice_lines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "invoice_id" uuid NOT NULL, "position" integer NOT NULL, "kind" text NOT NULL, "description" text NOT NULL, "metric_code" text, "quantity" numeric NOT NULL, "unit_price" numeric, "amount" numeric NOT NULL, CONSTRAINT "PK_3d18eb48142b916f581f0c21a65" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_invoice_lines_invoice" ON "invoice_lines"  ("invoice_id", "position") `);
        await queryRunner.query(`CREATE TABLE "invoice_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "kind" text NOT NULL, "description" text NOT NULL, "quantity" numeric NOT NULL, "unit_price" numeric, "amount" numeric NOT NULL, "invoice_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_53b99f9e0e2945e69de1a12b75a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_invoice_items_pending" ON "invoice_items"  ("organization_id", "period_start") `);
        await queryRunner.query(`CREATE TYPE "public"."invoice_status" AS ENUM('DRAFT', 'OPEN', 'PAID', 'OVERDUE', 'VOID', 'UNCOLLECTIBLE')`);
        await queryRunner.query(`CREATE TABLE "invoices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "sequence" integer, "number" text, "status" "public"."invoice_status" NOT NULL DEFAULT 'DRAFT', "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "currency" character(3) NOT NULL, "subtotal" numeric NOT NULL DEFAULT '0', "credits_applied" numeric NOT NULL DEFAULT '0', "total" numeric NOT NULL DEFAULT '0', "amount_paid" numeric NOT NULL DEFAULT '0', "issued_at" TIMESTAMP WITH TIME ZONE, "due_date" TIMESTAMP WITH TIME ZONE, "payment_due_at" TIMESTAMP WITH TIME ZONE, "payment_attempts" integer NOT NULL DEFAULT '0', "last_payment_error" text, "stripe_payment_intent_id" text, "paid_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_668cef7c22a427fd822cc1be3ce" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_invoices_org_status" ON "invoices"  ("organization_id", "status") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_invoices_org_sequence" ON "invoices"  ("organization_id", "sequence") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_invoices_org_period" ON "invoices"  ("organization_id", "period_start") `);
        await queryRunner.query(`CREATE TABLE "plan_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "kind" text NOT NULL, "from_plan_id" uuid, "to_plan_id" uuid, "effective_at" TIMESTAMP WITH TIME ZONE NOT NULL, "requested_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fef9d45e83ae50ee0f4b7cc20ba" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_plan_changes_org" ON "plan_changes"  ("organization_id", "effective_at") `);
        await queryRunner.query(`ALTER TABLE "organizations" ADD "closed_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "organizations" ADD "stripe_customer_id" text`);
        await queryRunner.query(`ALTER TABLE "organizations" ADD "stripe_payment_method_id" text`);
        // Existing subscriptions began their period on their current plan.
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" ADD "period_plan_id" uuid`);
        await queryRunner.query(`UPDATE "plan_subscriptions" SET "period_plan_id" = "plan_id"`);
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" ALTER COLUMN "period_plan_id" SET NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" DROP COLUMN "period_plan_id"`);
        await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "stripe_payment_method_id"`);
        await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "stripe_customer_id"`);
        await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "closed_at"`);
        await queryRunner.query(`DROP INDEX "public"."ix_plan_changes_org"`);
        await queryRunner.query(`DROP TABLE "plan_changes"`);
        await queryRunner.query(`DROP INDEX "public"."uq_invoices_org_period"`);
        await queryRunner.query(`DROP INDEX "public"."uq_invoices_org_sequence"`);
        await queryRunner.query(`DROP INDEX "public"."ix_invoices_org_status"`);
        await queryRunner.query(`DROP TABLE "invoices"`);
        await queryRunner.query(`DROP TYPE "public"."invoice_status"`);
        await queryRunner.query(`DROP INDEX "public"."ix_invoice_items_pending"`);
        await queryRunner.query(`DROP TABLE "invoice_items"`);
        await queryRunner.query(`DROP INDEX "public"."ix_invoice_lines_invoice"`);
        await queryRunner.query(`DROP TABLE "invoice_lines"`);
        await queryRunner.query(`DROP TABLE "invoice_counters"`);
        await queryRunner.query(`DROP INDEX "public"."ix_credit_grants_org"`);
        await queryRunner.query(`DROP TABLE "credit_grants"`);
        await queryRunner.query(`DROP TABLE "credit_applications"`);
    }

}
