import { MigrationInterface, QueryRunner } from "typeorm";

/** Tenancy, access, the metric and plan catalog, and subscriptions. */
export class Foundation1795565925409 implements MigrationInterface {
    name = 'Foundation1795565925409'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "currency" character(3) NOT NULL, "test_clock_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TYPE "public"."role" AS ENUM('PLATFORM_ADMIN', 'TENANT_ADMIN', 'BILLING_CONTACT', 'MEMBER')`);
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid, "role" "public"."role" NOT NULL, "name" text NOT NULL, "key_hash" text NOT NULL, "key_prefix" text NOT NULL, "created_by_key_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_hash" ON "api_keys"  ("key_hash") `);
        await queryRunner.query(`CREATE TYPE "public"."aggregation" AS ENUM('SUM', 'COUNT', 'MAX', 'UNIQUE_COUNT', 'LATEST')`);
        await queryRunner.query(`CREATE TABLE "metrics" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" text NOT NULL, "name" text NOT NULL, "unit" text NOT NULL, "aggregation" "public"."aggregation" NOT NULL, "unique_by" text, "event_rounding" numeric, "session_idle_minutes" integer, "session_key" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_76bede7859e6d31acbf91cc6176" UNIQUE ("code"), CONSTRAINT "PK_5283cad666a83376e28a715bf0e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "projects" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "key" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_projects_org_key" ON "projects"  ("organization_id", "key") `);
        await queryRunner.query(`CREATE TABLE "teams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "key" text NOT NULL, "department" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7e5523774a38b08a6236d322403" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_teams_org_key" ON "teams"  ("organization_id", "key") `);
        await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "key" text NOT NULL, "email" text, "role" "public"."role", "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_org_key" ON "users"  ("organization_id", "key") `);
        await queryRunner.query(`CREATE TABLE "plans" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" text NOT NULL, "name" text NOT NULL, "currency" character(3) NOT NULL, "base_price" numeric NOT NULL, "billing_interval" text NOT NULL DEFAULT 'month', "monthly_budget" numeric, "auto_pause_at_budget" boolean NOT NULL DEFAULT false, "requests_per_minute" integer, "payment_terms_days" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_95f7ef3fc4c31a3545b4d825dd4" UNIQUE ("code"), CONSTRAINT "PK_3720521a81c7c24fe9b7202ba61" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TYPE "public"."price_model" AS ENUM('PER_UNIT', 'PACKAGE', 'GRADUATED', 'VOLUME')`);
        await queryRunner.query(`CREATE TABLE "plan_charges" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "plan_id" uuid NOT NULL, "metric_id" uuid NOT NULL, "included" numeric, "usage_limit" numeric, "hard_limit" boolean NOT NULL DEFAULT false, "model" "public"."price_model" NOT NULL, "unit_price" numeric, "package_size" numeric, "package_price" numeric, "tiers" jsonb, "dimension_prices" jsonb, CONSTRAINT "PK_43ce3a4dae06affeaeca8e82d45" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_plan_charges_plan_metric" ON "plan_charges"  ("plan_id", "metric_id") `);
        await queryRunner.query(`CREATE TABLE "plan_subscriptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "plan_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'active', "current_period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "current_period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "pending_plan_id" uuid, "cancel_at_period_end" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fbecd15ea78b4de498d0b0b4b00" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_plan_subscriptions_org" ON "plan_subscriptions"  ("organization_id") `);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a283bdef18876e525aefaec042f" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "projects" ADD CONSTRAINT "FK_585c8ce06628c70b70100bfb842" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "teams" ADD CONSTRAINT "FK_fdc736f761896ccc179c823a785" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_21a659804ed7bf61eb91688dea7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "plan_charges" ADD CONSTRAINT "FK_7a046d34593359eeca18a550a8c" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "plan_charges" ADD CONSTRAINT "FK_49eedec8533f448695dfecf1c06" FOREIGN KEY ("metric_id") REFERENCES "metrics"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" ADD CONSTRAINT "FK_026d95d4f9505db5bb06f1503eb" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" ADD CONSTRAINT "FK_bb655ffcfd6c358aa27fa89771d" FOREIGN KEY ("plan_id") REFERENCES "plans"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" ADD CONSTRAINT "FK_28b2c8e584292c7696364f556fc" FOREIGN KEY ("pending_plan_id") REFERENCES "plans"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" DROP CONSTRAINT "FK_28b2c8e584292c7696364f556fc"`);
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" DROP CONSTRAINT "FK_bb655ffcfd6c358aa27fa89771d"`);
        await queryRunner.query(`ALTER TABLE "plan_subscriptions" DROP CONSTRAINT "FK_026d95d4f9505db5bb06f1503eb"`);
        await queryRunner.query(`ALTER TABLE "plan_charges" DROP CONSTRAINT "FK_49eedec8533f448695dfecf1c06"`);
        await queryRunner.query(`ALTER TABLE "plan_charges" DROP CONSTRAINT "FK_7a046d34593359eeca18a550a8c"`);
        await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_21a659804ed7bf61eb91688dea7"`);
        await queryRunner.query(`ALTER TABLE "teams" DROP CONSTRAINT "FK_fdc736f761896ccc179c823a785"`);
        await queryRunner.query(`ALTER TABLE "projects" DROP CONSTRAINT "FK_585c8ce06628c70b70100bfb842"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_a283bdef18876e525aefaec042f"`);
        await queryRunner.query(`DROP INDEX "public"."uq_plan_subscriptions_org"`);
        await queryRunner.query(`DROP TABLE "plan_subscriptions"`);
        await queryRunner.query(`DROP INDEX "public"."uq_plan_charges_plan_metric"`);
        await queryRunner.query(`DROP TABLE "plan_charges"`);
        await queryRunner.query(`DROP TYPE "public"."price_model"`);
        await queryRunner.query(`DROP TABLE "plans"`);
        await queryRunner.query(`DROP INDEX "public"."uq_users_org_key"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP INDEX "public"."uq_teams_org_key"`);
        await queryRunner.query(`DROP TABLE "teams"`);
        await queryRunner.query(`DROP INDEX "public"."uq_projects_org_key"`);
        await queryRunner.query(`DROP TABLE "projects"`);
        await queryRunner.query(`DROP TABLE "metrics"`);
        await queryRunner.query(`DROP TYPE "public"."aggregation"`);
        await queryRunner.query(`DROP INDEX "public"."uq_api_keys_hash"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
        await queryRunner.query(`DROP TYPE "public"."role"`);
        await queryRunner.query(`DROP TABLE "organizations"`);
    }

}
