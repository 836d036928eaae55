import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Spend controls: each organisation's budget, auto-pause and blocking limits (a tenant table keyed by its
 * organisation), and plans' requests per hour beside their requests per minute.
 */
export class SpendControls1796293000000 implements MigrationInterface {
    name = 'SpendControls1796293000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "spend_controls" ("organization_id" uuid NOT NULL, "monthly_budget" numeric, "auto_pause" boolean, "per_event_limit" numeric, "per_hour_limit" numeric, "per_day_limit" numeric, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_spend_controls_bounded" CHECK (abs("monthly_budget") < 1e15 AND scale("monthly_budget") <= 4 AND abs("per_event_limit") < 1e15 AND scale("per_event_limit") <= 4 AND abs("per_hour_limit") < 1e15 AND scale("per_hour_limit") <= 4 AND abs("per_day_limit") < 1e15 AND scale("per_day_limit") <= 4), CONSTRAINT "PK_f2d5b1e63e27964238956b7bdb6" PRIMARY KEY ("organization_id"))`);
        await queryRunner.query(`ALTER TABLE "plans" ADD "requests_per_hour" integer`);
        await queryRunner.query(`ALTER TABLE "spend_controls" ADD CONSTRAINT "FK_f2d5b1e63e27964238956b7bdb6" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "spend_controls" DROP CONSTRAINT "FK_f2d5b1e63e27964238956b7bdb6"`);
        await queryRunner.query(`ALTER TABLE "plans" DROP COLUMN "requests_per_hour"`);
        await queryRunner.query(`DROP TABLE "spend_controls"`);
    }

}
