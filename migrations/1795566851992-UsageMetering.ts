import { MigrationInterface, QueryRunner } from "typeorm";

/** Raw usage events (partitioned), idempotency keys, rollups and the state of sessions, distinct values and rate limits. */
export class UsageMetering1795566851992 implements MigrationInterface {
    name = 'UsageMetering1795566851992'

    public async up(queryRunner: QueryRunner): Promise<void> {
        // The raw events, partitioned by month of occurrence (design: partitioned by time, keyed by
        // organisation). Written only by set-based SQL, so it has no entity; the drift test does not see it.
        await queryRunner.query(`CREATE TABLE "usage_events" ("organization_id" uuid NOT NULL, "event_id" text NOT NULL, "metric_id" uuid NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "quantity" numeric NOT NULL, "raw_quantity" numeric NOT NULL, "delta" numeric NOT NULL, "cost" numeric NOT NULL, "team" text, "project" text, "user_key" text, "dimensions" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_usage_events" PRIMARY KEY ("organization_id", "occurred_at", "event_id")) PARTITION BY RANGE ("occurred_at")`);
        // Events of simulated (test clock) organisations can fall in any month: they land here.
        await queryRunner.query(`CREATE TABLE "usage_events_default" PARTITION OF "usage_events" DEFAULT`);
        await queryRunner.query(`CREATE FUNCTION meterly_ensure_usage_partitions(p_from timestamptz, p_months int) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE
                m timestamptz;
                part text;
            BEGIN
                FOR i IN 0..p_months - 1 LOOP
                    m := (date_trunc('month', p_from AT TIME ZONE 'UTC') + make_interval(months => i)) AT TIME ZONE 'UTC';
                    part := 'usage_events_' || to_char(m AT TIME ZONE 'UTC', 'YYYY_MM');
                    IF to_regclass(part) IS NULL THEN
                        BEGIN
                            EXECUTE format('CREATE TABLE %I PARTITION OF usage_events FOR VALUES FROM (%L) TO (%L)', part, m, m + interval '1 month');
                        EXCEPTION WHEN others THEN
                            -- Another node created it, or the default partition already holds rows of that month.
                            RAISE NOTICE 'partition % not created: %', part, SQLERRM;
                        END;
                    END IF;
                END LOOP;
            END $$`);
        await queryRunner.query(`SELECT meterly_ensure_usage_partitions(now() - interval '2 months', 5)`);
        await queryRunner.query(`CREATE TABLE "usage_event_keys" ("organization_id" uuid NOT NULL, "event_id" text NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cdf5a8b9820b679e35649eafa5e" PRIMARY KEY ("organization_id", "event_id"))`);
        await queryRunner.query(`CREATE TABLE "usage_rate_windows" ("organization_id" uuid NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL, "count" integer NOT NULL, CONSTRAINT "PK_8fb5f3b3bd189f25a84fdcdb97f" PRIMARY KEY ("organization_id", "window_start"))`);
        await queryRunner.query(`CREATE TABLE "usage_rollups" ("organization_id" uuid NOT NULL, "metric_id" uuid NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "team" text NOT NULL, "project" text NOT NULL, "user_key" text NOT NULL, "dimensions" jsonb NOT NULL, "quantity" numeric NOT NULL, "cost" numeric NOT NULL, "event_count" bigint NOT NULL, "max_quantity" numeric NOT NULL, "latest_at" TIMESTAMP WITH TIME ZONE NOT NULL, "latest_quantity" numeric NOT NULL, CONSTRAINT "PK_59dbb6a429ab35f1a6dd01277c8" PRIMARY KEY ("organization_id", "metric_id", "bucket_start", "team", "project", "user_key", "dimensions"))`);
        await queryRunner.query(`CREATE INDEX "ix_usage_rollups_org_bucket" ON "usage_rollups"  ("organization_id", "bucket_start") `);
        await queryRunner.query(`CREATE TABLE "usage_sessions" ("id" uuid NOT NULL, "organization_id" uuid NOT NULL, "metric_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "session_key" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_42692592ebe042eacacc1647dc7" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "ix_usage_sessions_lookup" ON "usage_sessions"  ("organization_id", "metric_id", "period_start", "session_key") `);
        await queryRunner.query(`CREATE TABLE "usage_totals" ("organization_id" uuid NOT NULL, "metric_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "quantity" numeric NOT NULL DEFAULT '0', "cost" numeric NOT NULL DEFAULT '0', "event_count" bigint NOT NULL DEFAULT '0', "latest_at" TIMESTAMP WITH TIME ZONE, "latest_quantity" numeric, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_47c9319befd69a4a29db97e0373" PRIMARY KEY ("organization_id", "metric_id", "period_start"))`);
        await queryRunner.query(`CREATE TABLE "usage_unique_values" ("organization_id" uuid NOT NULL, "metric_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_cc3f022cbd70257626af02fbbf5" PRIMARY KEY ("organization_id", "metric_id", "period_start", "value"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP FUNCTION meterly_ensure_usage_partitions(timestamptz, int)`);
        await queryRunner.query(`DROP TABLE "usage_events"`);
        await queryRunner.query(`DROP TABLE "usage_unique_values"`);
        await queryRunner.query(`DROP TABLE "usage_totals"`);
        await queryRunner.query(`DROP INDEX "public"."ix_usage_sessions_lookup"`);
        await queryRunner.query(`DROP TABLE "usage_sessions"`);
        await queryRunner.query(`DROP INDEX "public"."ix_usage_rollups_org_bucket"`);
        await queryRunner.query(`DROP TABLE "usage_rollups"`);
        await queryRunner.query(`DROP TABLE "usage_rate_windows"`);
        await queryRunner.query(`DROP TABLE "usage_event_keys"`);
    }

}
