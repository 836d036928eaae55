import type { DataSource } from 'typeorm';
import { namedStatement } from '../../common/database/pg-array';
import type { OrganizationClock } from '../../common/time/organization-clock';
import { SubscriptionStatus } from '../subscription/plan-subscription.entity';

/** What an organisation's entitlements are read from, in one round trip. */
export interface EntitlementRow extends OrganizationClock {
  closed: boolean;
  plan_id: string | null;
  /** [metric id, quantity, cost] of the current period (by the organisation's clock). */
  totals: Array<[string, string, string]>;
  /** [feature, enabled, config] */
  overrides: Array<[string, boolean, Record<string, unknown> | null]>;
  /**
   * [monthly budget, auto-pause, per-hour limit, per-day limit] of its spend controls, each budget field null for
   * the plan's and each limit null for none; null: none set.
   */
  controls: [string | null, boolean | null, string | null, string | null] | null;
  /**
   * With a per-hour or per-day limit: [start of the current UTC hour, its cost, the cost of its UTC day], by the
   * organisation's clock, from the hourly rollups as ingestion counts them; else null.
   */
  spend: [string, string, string] | null;
}

const ROW = namedStatement(
  ['org', 'canceled'],
  (p) => `SELECT o.closed_at IS NOT NULL OR s.status IS NOT DISTINCT FROM ${p.canceled} AS closed,
    o.test_clock_at AS "testClockAt", s.plan_id,
    (SELECT coalesce(json_agg(json_build_array(t.metric_id, t.quantity::text, t.cost::text)), '[]')
       FROM usage_totals t
      WHERE t.organization_id = o.id
        AND t.period_start = date_trunc('month', organization_now(o) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS totals,
    (SELECT coalesce(json_agg(json_build_array(f.feature, f.enabled, f.config)), '[]')
       FROM feature_overrides f WHERE f.organization_id = o.id) AS overrides,
    (SELECT json_build_array(c.monthly_budget::text, c.auto_pause, c.per_hour_limit::text, c.per_day_limit::text)
       FROM spend_controls c WHERE c.organization_id = o.id) AS controls,
    (SELECT json_build_array(w.hour, coalesce(sum(r.cost) FILTER (WHERE r.bucket_start = w.hour), 0)::text, coalesce(sum(r.cost), 0)::text)
       FROM spend_controls c
       CROSS JOIN (SELECT date_trunc('hour', organization_now(o) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
                          date_trunc('day', organization_now(o) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day) w
       LEFT JOIN usage_rollups r ON r.organization_id = o.id AND r.bucket_start >= w.day AND r.bucket_start < w.day + interval '24 hours'
      WHERE c.organization_id = o.id AND (c.per_hour_limit IS NOT NULL OR c.per_day_limit IS NOT NULL)
      GROUP BY w.hour) AS spend
  FROM organizations o LEFT JOIN plan_subscriptions s ON s.organization_id = o.id
 WHERE o.id = ${p.org}`,
);

const PLAN_FEATURES = namedStatement(
  ['plan'],
  (p) => `SELECT feature, enabled, config FROM plan_features WHERE plan_id = ${p.plan} ORDER BY feature`,
);

export class EntitlementStore {
  constructor(private readonly db: DataSource) {}

  async organization(organizationId: string): Promise<EntitlementRow | undefined> {
    const rows = await this.db.query<EntitlementRow[]>(
      ROW.text,
      ROW.values({ org: organizationId, canceled: SubscriptionStatus.CANCELED }),
    );
    return rows[0];
  }

  planFeatures(planId: string): Promise<Array<{ feature: string; enabled: boolean; config: Record<string, unknown> | null }>> {
    return this.db.query(PLAN_FEATURES.text, PLAN_FEATURES.values({ plan: planId }));
  }
}
