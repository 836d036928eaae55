import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Features on plans: what a plan grants besides its charges (a reference table, like plan_charges), and a platform
 * admin's per-organisation overrides (a tenant table, keyed by organisation first).
 */
export class PlanFeatures1796287137021 implements MigrationInterface {
    name = 'PlanFeatures1796287137021'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "plan_features" ("plan_id" uuid NOT NULL, "feature" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "config" jsonb, CONSTRAINT "PK_20cf780219db0ca28a9f21df1ba" PRIMARY KEY ("plan_id", "feature"))`);
        await queryRunner.query(`CREATE TABLE "feature_overrides" ("organization_id" uuid NOT NULL, "feature" text NOT NULL, "enabled" boolean NOT NULL, "config" jsonb, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c68091d3cd1bc5e0be735ecca29" PRIMARY KEY ("organization_id", "feature"))`);
        await queryRunner.query(`ALTER TABLE "plan_features" ADD CONSTRAINT "FK_b51952483b18fa15334d714a838" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "feature_overrides" ADD CONSTRAINT "FK_33a3cb73ca215c7164546d04733" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "feature_overrides" DROP CONSTRAINT "FK_33a3cb73ca215c7164546d04733"`);
        await queryRunner.query(`ALTER TABLE "plan_features" DROP CONSTRAINT "FK_b51952483b18fa15334d714a838"`);
        await queryRunner.query(`DROP TABLE "feature_overrides"`);
        await queryRunner.query(`DROP TABLE "plan_features"`);
    }

}
