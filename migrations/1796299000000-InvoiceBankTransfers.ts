import { MigrationInterface, QueryRunner } from "typeorm";

/** Invoices of net-30 plans sent through Stripe to be paid by bank transfer, with the account to pay into. */
export class InvoiceBankTransfers1796299000000 implements MigrationInterface {
    name = 'InvoiceBankTransfers1796299000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "invoice_bank_transfers" ("organization_id" uuid NOT NULL, "invoice_id" uuid NOT NULL, "stripe_invoice_id" text NOT NULL, "hosted_invoice_url" text, "financial_addresses" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_invoice_bank_transfers" PRIMARY KEY ("organization_id", "invoice_id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "invoice_bank_transfers"`);
    }
}
