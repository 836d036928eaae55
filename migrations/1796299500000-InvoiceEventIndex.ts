import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The invoice timeline (Invoice.timeline) reads a page of invoices' events at once by
 * the invoice id inside their data, and each event's deliveries by event: without these
 * indexes both would scan the whole event log. The first is an expression index, which
 * the entity declares without synchronising it.
 */
export class InvoiceEventIndex1796299500000 implements MigrationInterface {
    name = 'InvoiceEventIndex1796299500000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "ix_webhook_events_invoice" ON "webhook_events" ("organization_id", ("data" #>> '{invoice,id}'), "created_at") WHERE "data" ? 'invoice'`);
        await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_event" ON "webhook_deliveries" ("organization_id", "event_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_event"`);
        await queryRunner.query(`DROP INDEX "public"."ix_webhook_events_invoice"`);
    }
}
