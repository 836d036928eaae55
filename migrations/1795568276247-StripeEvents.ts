import { MigrationInterface, QueryRunner } from "typeorm";

/** Stripe webhook events already applied, so a replay changes nothing. */
export class StripeEvents1795568276247 implements MigrationInterface {
    name = 'StripeEvents1795568276247'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "stripe_events" ("id" text NOT NULL, "type" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d3247bd5fc3f66b6982bbcdd897" PRIMARY KEY ("id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "stripe_events"`);
    }

}
