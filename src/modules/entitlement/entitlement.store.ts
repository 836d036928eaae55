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
  /** [monthly budget, auto-pause] of its spend controls, each null for the plan's; null: none set. */
  controls: [string | null, boolean | null] | null;
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
    (SELECT json_build_array(c.monthly_budget::text, c.auto_pause) FROM spend_controls c WHERE c.organization_id = o.id) AS controls
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
