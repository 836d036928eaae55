import { MigrationInterface, QueryRunner } from "typeorm";

/** What a charge lets through at all: an allow-list of dimension values, and a feature that gates the metric. */
export class ChargeAccess1796292000000 implements MigrationInterface {
    name = 'ChargeAccess1796292000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plan_charges" ADD "allowed_dimensions" jsonb`);
        await queryRunner.query(`ALTER TABLE "plan_charges" ADD "requires_feature" text`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plan_charges" DROP COLUMN "requires_feature"`);
        await queryRunner.query(`ALTER TABLE "plan_charges" DROP COLUMN "allowed_dimensions"`);
    }

}
