import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Custom plans: a plan made for one organisation, which only that organisation sees and may use. Plans are reference
 * data replicated to every shard, so the column names the organisation without a foreign key.
 */
export class CustomPlans1796286354631 implements MigrationInterface {
    name = 'CustomPlans1796286354631'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plans" ADD "organization_id" uuid`);
        await queryRunner.query(`CREATE INDEX "ix_plans_organization" ON "plans" ("organization_id") WHERE "organization_id" IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_plans_organization"`);
        await queryRunner.query(`ALTER TABLE "plans" DROP COLUMN "organization_id"`);
    }

}
