import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The organisation's "now": its test clock when it has one, else real time,
 * written once for every statement that needs it (TypeScript has the same rule
 * in organizationNow). It takes the organisation's row, not its id, so that a
 * statement over many organisations joins the row it already reads: a plain
 * SQL function with no FROM is inlined by the planner into
 * coalesce(o.test_clock_at, now()), while a lookup by id could not be inlined
 * and would cost an index probe per row. Call it as organization_now(o).
 */
export class OrganizationNow1796282792396 implements MigrationInterface {
    name = 'OrganizationNow1796282792396'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `CREATE FUNCTION "organization_now"("organization" "organizations") RETURNS timestamptz
               LANGUAGE sql STABLE PARALLEL SAFE
               AS $$ SELECT coalesce(("organization")."test_clock_at", now()) $$`,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP FUNCTION "organization_now"("organizations")`);
    }
}
