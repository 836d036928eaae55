import type { DataSource } from 'typeorm';
import { namedParameters } from '../../common/database/pg-array';
import { Dec } from '../../common/money/decimal';
import { monthPeriod } from '../../common/time/billing-period';
import { loadTenantScope } from '../organization/tenant-scope';
import { crossed, thresholdOf, type FiredAlert, type RuleTerms } from './alert-evaluator';
import type { AlertRaiser } from './alert-raiser';

/** What forecast rules read of an organisation's forecast (ForecastService gives it). */
export interface ProjectedCosts {
  forecastFor(organizationId: string): Promise<{ projectedCost: { amount: string; currency: string }; periodEnd: Date }>;
}

const RULES = namedParameters(['org'] as const);
/** Forecast rules of one organisation, or of all (a null `org`), with its budget: its spend controls', else its plan's. */
const RULES_SQL = `SELECT r.id, r.organization_id AS "organizationId", r.threshold_percent AS "thresholdPercent", r.threshold_amount AS "thresholdAmount",
       r.severity, r.channels, coalesce(c.monthly_budget, p.monthly_budget) AS budget
  FROM alert_rules r JOIN plan_subscriptions s ON s.organization_id = r.organization_id AND s.status = 'active'
  JOIN plans p ON p.id = s.plan_id
  LEFT JOIN spend_controls c ON c.organization_id = r.organization_id
 WHERE r."window" = 'FORECAST' AND (${RULES.sql.org}::uuid IS NULL OR r.organization_id = ${RULES.sql.org})`;

interface ForecastRuleRow extends Pick<RuleTerms, 'id' | 'thresholdPercent' | 'thresholdAmount' | 'severity' | 'channels'> {
  organizationId: string;
  budget: string | null;
}

/**
 * Projected overage: forecast rules fire when the period's projected cost
 * crosses their threshold (percent of the budget, or an amount), once per
 * period. Checked with the billing cycle, not on each batch.
 */
export class ForecastAlertService {
  constructor(
    private readonly db: DataSource,
    private readonly raiser: AlertRaiser,
    private readonly forecasts: ProjectedCosts,
  ) {}

  async evaluate(organizationId?: string): Promise<void> {
    const rules: ForecastRuleRow[] = await this.db.query(RULES_SQL, RULES.values({ org: organizationId ?? null }));
    const byOrg = new Map<string, ForecastRuleRow[]>();
    for (const rule of rules) byOrg.set(rule.organizationId, [...(byOrg.get(rule.organizationId) ?? []), rule]);
    for (const [org, orgRules] of byOrg) {
      const forecast = await this.forecasts.forecastFor(org);
      const projected = new Dec(forecast.projectedCost.amount);
      const periodStart = monthPeriod(new Date(forecast.periodEnd.getTime() - 1)).start;
      const fired: FiredAlert[] = [];
      for (const rule of orgRules) {
        const threshold = thresholdOf(rule, rule.budget);
        const currency = forecast.projectedCost.currency;
        const alert =
          threshold &&
          crossed(
            rule,
            periodStart.toISOString(),
            'forecast',
            null,
            threshold,
            projected,
            `Spend is projected to reach ${projected.toFixed()} ${currency} by the period's end, past ${threshold.toFixed()} ${currency}`,
          );
        if (alert) fired.push(alert);
      }
      if (fired.length === 0) continue;
      const { now } = await loadTenantScope(this.db.manager, org);
      const created = await this.db.transaction((tx) =>
        this.raiser.insert(
          tx,
          fired.map((f) => ({ ...f, organizationId: org, at: now })),
        ),
      );
      await this.raiser.announce(created);
    }
  }
}
