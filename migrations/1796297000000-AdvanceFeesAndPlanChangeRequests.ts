import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Base fees invoiced in advance (plans.base_fee_timing; invoices.kind, with one PERIOD and one OPENING invoice per
 * organisation and period at most, and any number of PLAN_CHANGE ones), and plan-change requests decided by the
 * platform (plans.plan_change_policy; plan_change_requests, at most one pending per organisation). Reverting fails
 * while OPENING or PLAN_CHANGE invoices share a period with a PERIOD one: the old index allowed one invoice a period.
 */
export class AdvanceFeesAndPlanChangeRequests1796297000000 implements MigrationInterface {
    name = 'AdvanceFeesAndPlanChangeRequests1796297000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plans" ADD "base_fee_timing" text NOT NULL DEFAULT 'IN_ARREARS'`);
        await queryRunner.query(`ALTER TABLE "plans" ADD "plan_change_policy" text NOT NULL DEFAULT 'BY_REQUEST'`);
        await queryRunner.query(`ALTER TABLE "invoices" ADD "kind" text NOT NULL DEFAULT 'PERIOD'`);
        await queryRunner.query(`DROP INDEX "public"."uq_invoices_org_period"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_invoices_org_period" ON "invoices"  ("organization_id", "period_start") WHERE "kind" = 'PERIOD'`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_invoices_org_opening" ON "invoices"  ("organization_id", "period_start") WHERE "kind" = 'OPENING'`);
        await queryRunner.query(`CREATE TABLE "plan_change_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "plan_id" uuid NOT NULL, "from_plan_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "requested_by" text NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_by" text, "decided_at" TIMESTAMP WITH TIME ZONE, "reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_32cd836987de3268ce35b571061" PRIMARY KEY ("id", "organization_id"))`);
        await queryRunner.query(`CREATE INDEX "ix_plan_change_requests_org" ON "plan_change_requests"  ("organization_id", "requested_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_plan_change_requests_pending" ON "plan_change_requests"  ("organization_id") WHERE "status" = 'PENDING'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."uq_plan_change_requests_pending"`);
        await queryRunner.query(`DROP INDEX "public"."ix_plan_change_requests_org"`);
        await queryRunner.query(`DROP TABLE "plan_change_requests"`);
        await queryRunner.query(`DROP INDEX "public"."uq_invoices_org_opening"`);
        await queryRunner.query(`DROP INDEX "public"."uq_invoices_org_period"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_invoices_org_period" ON "invoices"  ("organization_id", "period_start") `);
        await queryRunner.query(`ALTER TABLE "invoices" DROP COLUMN "kind"`);
        await queryRunner.query(`ALTER TABLE "plans" DROP COLUMN "plan_change_policy"`);
        await queryRunner.query(`ALTER TABLE "plans" DROP COLUMN "base_fee_timing"`);
    }

}
