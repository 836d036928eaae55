import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Every node keeps the keys it has seen for a few seconds. Keys are changed
 * (revoked, deleted) only in the database, by an operator, so the database
 * announces each change on `meterly_api_keys` with the key's hash, and every
 * node drops that key at once instead of honouring it until its entry expires.
 */
export class ApiKeyChangeNotify1796291000000 implements MigrationInterface {
    name = 'ApiKeyChangeNotify1796291000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE FUNCTION meterly_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_notify('meterly_api_keys', OLD.key_hash); RETURN NULL; END $$`);
        await queryRunner.query(`CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON "api_keys" FOR EACH ROW EXECUTE FUNCTION meterly_api_key_changed()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER api_keys_changed ON "api_keys"`);
        await queryRunner.query(`DROP FUNCTION meterly_api_key_changed()`);
    }
}
