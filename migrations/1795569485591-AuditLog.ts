import { MigrationInterface, QueryRunner } from "typeorm";

/** The append-only audit trail of mutations. */
export class AuditLog1795569485591 implements MigrationInterface {
    name = 'AuditLog1795569485591'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "api_key_id" text NOT NULL, "role" text NOT NULL, "organization_id" uuid, "operation" text NOT NULL, "arguments" jsonb NOT NULL, "result" jsonb, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_audit_log_org" ON "audit_log"  ("organization_id", "id") `);
        // Append-only: the trail cannot be edited, through the API or otherwise.
        await queryRunner.query(`CREATE FUNCTION meterly_audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
        await queryRunner.query(`CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION meterly_audit_log_immutable()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER audit_log_immutable ON "audit_log"`);
        await queryRunner.query(`DROP FUNCTION meterly_audit_log_immutable()`);
        await queryRunner.query(`DROP INDEX "public"."ix_audit_log_org"`);
        await queryRunner.query(`DROP TABLE "audit_log"`);
    }

}
