import { MigrationInterface, QueryRunner } from "typeorm";

/** Unlimited charges: no limit and nothing billed, shown as unlimited rather than as a missing limit. */
export class UnlimitedCharges1796291100000 implements MigrationInterface {
    name = 'UnlimitedCharges1796291100000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plan_charges" ADD "unlimited" boolean NOT NULL DEFAULT false`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plan_charges" DROP COLUMN "unlimited"`);
    }

}
