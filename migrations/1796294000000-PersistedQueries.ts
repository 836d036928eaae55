import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Automatic persisted queries shared by every server process and node: the query text behind each hash Apollo
 * was sent, until it expires. Not a TypeORM entity: only the persisted query cache reads and writes it.
 */
export class PersistedQueries1796294000000 implements MigrationInterface {
    name = 'PersistedQueries1796294000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "persisted_queries" ("key" text NOT NULL, "query" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_persisted_queries" PRIMARY KEY ("key"))`);
        await queryRunner.query(`CREATE INDEX "ix_persisted_queries_expires_at" ON "persisted_queries" ("expires_at")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_persisted_queries_expires_at"`);
        await queryRunner.query(`DROP TABLE "persisted_queries"`);
    }
}
