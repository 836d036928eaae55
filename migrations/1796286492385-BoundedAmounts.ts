import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Every stored number within the bounds of the input it came from (common/money/decimal-bounds.ts): inputs
 * to their digits and decimals, sums, costs and invoice figures to 40 integer digits. CHECK constraints, not
 * numeric(p, s) typmods: a typmod would pad every value to its scale ("10" read back as "10.000000000000") and
 * rewrite the hot counter tables; a CHECK only reads each row once, here. Fails if a row already holds a number
 * past its bounds: such a row has to be corrected first.
 */
export class BoundedAmounts1796286492385 implements MigrationInterface {
    name = 'BoundedAmounts1796286492385'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "alert_rules" ADD CONSTRAINT "CHK_alert_rules_bounded" CHECK (abs("threshold_percent") < 1e4 AND scale("threshold_percent") <= 12 AND abs("threshold_amount") < 1e18 AND scale("threshold_amount") <= 20)`);
        await queryRunner.query(`ALTER TABLE "alerts" ADD CONSTRAINT "CHK_alerts_bounded" CHECK (abs("threshold") < 1e40 AND abs("value") < 1e40)`);
        await queryRunner.query(`ALTER TABLE "credit_applications" ADD CONSTRAINT "CHK_credit_applications_bounded" CHECK (abs("amount") < 1e15 AND scale("amount") <= 4)`);
        await queryRunner.query(`ALTER TABLE "credit_grants" ADD CONSTRAINT "CHK_credit_grants_bounded" CHECK (abs("amount") < 1e15 AND scale("amount") <= 4 AND abs("remaining") < 1e15 AND scale("remaining") <= 4)`);
        await queryRunner.query(`ALTER TABLE "invoice_items" ADD CONSTRAINT "CHK_invoice_items_bounded" CHECK (abs("quantity") < 1e40 AND abs("unit_price") < 1e40 AND abs("amount") < 1e40)`);
        await queryRunner.query(`ALTER TABLE "invoice_lines" ADD CONSTRAINT "CHK_invoice_lines_bounded" CHECK (abs("quantity") < 1e40 AND abs("unit_price") < 1e40 AND abs("amount") < 1e40)`);
        await queryRunner.query(`ALTER TABLE "invoices" ADD CONSTRAINT "CHK_invoices_bounded" CHECK (abs("subtotal") < 1e40 AND abs("credits_applied") < 1e40 AND abs("total") < 1e40 AND abs("amount_paid") < 1e40)`);
        await queryRunner.query(`ALTER TABLE "metrics" ADD CONSTRAINT "CHK_metrics_bounded" CHECK (abs("event_rounding") < 1e18 AND scale("event_rounding") <= 20)`);
        await queryRunner.query(`ALTER TABLE "plan_charges" ADD CONSTRAINT "CHK_plan_charges_bounded" CHECK (abs("included") < 1e18 AND scale("included") <= 20 AND abs("usage_limit") < 1e18 AND scale("usage_limit") <= 20 AND abs("unit_price") < 1e15 AND scale("unit_price") <= 12 AND abs("package_size") < 1e18 AND scale("package_size") <= 20 AND abs("package_price") < 1e15 AND scale("package_price") <= 12)`);
        await queryRunner.query(`ALTER TABLE "plans" ADD CONSTRAINT "CHK_plans_bounded" CHECK (abs("base_price") < 1e15 AND scale("base_price") <= 4 AND abs("monthly_budget") < 1e15 AND scale("monthly_budget") <= 4)`);
        await queryRunner.query(`ALTER TABLE "usage_events" ADD CONSTRAINT "CHK_usage_events_bounded" CHECK (abs("raw_quantity") < 1e18 AND scale("raw_quantity") <= 20 AND abs("quantity") < 1e40 AND abs("delta") < 1e40 AND abs("cost") < 1e40)`);
        await queryRunner.query(`ALTER TABLE "usage_price_totals" ADD CONSTRAINT "CHK_usage_price_totals_bounded" CHECK (abs("unit_price") < 1e15 AND scale("unit_price") <= 12 AND abs("quantity") < 1e40 AND abs("cost") < 1e40)`);
        await queryRunner.query(`ALTER TABLE "usage_rollups" ADD CONSTRAINT "CHK_usage_rollups_bounded" CHECK (abs("quantity") < 1e40 AND abs("cost") < 1e40 AND abs("max_quantity") < 1e40 AND abs("latest_quantity") < 1e40)`);
        await queryRunner.query(`ALTER TABLE "usage_totals" ADD CONSTRAINT "CHK_usage_totals_bounded" CHECK (abs("quantity") < 1e40 AND abs("cost") < 1e40 AND abs("latest_quantity") < 1e40)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "usage_totals" DROP CONSTRAINT "CHK_usage_totals_bounded"`);
        await queryRunner.query(`ALTER TABLE "usage_rollups" DROP CONSTRAINT "CHK_usage_rollups_bounded"`);
        await queryRunner.query(`ALTER TABLE "usage_price_totals" DROP CONSTRAINT "CHK_usage_price_totals_bounded"`);
        await queryRunner.query(`ALTER TABLE "usage_events" DROP CONSTRAINT "CHK_usage_events_bounded"`);
        await queryRunner.query(`ALTER TABLE "plans" DROP CONSTRAINT "CHK_plans_bounded"`);
        await queryRunner.query(`ALTER TABLE "plan_charges" DROP CONSTRAINT "CHK_plan_charges_bounded"`);
        await queryRunner.query(`ALTER TABLE "metrics" DROP CONSTRAINT "CHK_metrics_bounded"`);
        await queryRunner.query(`ALTER TABLE "invoices" DROP CONSTRAINT "CHK_invoices_bounded"`);
        await queryRunner.query(`ALTER TABLE "invoice_lines" DROP CONSTRAINT "CHK_invoice_lines_bounded"`);
        await queryRunner.query(`ALTER TABLE "invoice_items" DROP CONSTRAINT "CHK_invoice_items_bounded"`);
        await queryRunner.query(`ALTER TABLE "credit_grants" DROP CONSTRAINT "CHK_credit_grants_bounded"`);
        await queryRunner.query(`ALTER TABLE "credit_applications" DROP CONSTRAINT "CHK_credit_applications_bounded"`);
        await queryRunner.query(`ALTER TABLE "alerts" DROP CONSTRAINT "CHK_alerts_bounded"`);
        await queryRunner.query(`ALTER TABLE "alert_rules" DROP CONSTRAINT "CHK_alert_rules_bounded"`);
    }
}
