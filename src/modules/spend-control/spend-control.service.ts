import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { namedStatement } from '../../common/database/pg-array';
import { organizationNotFound } from '../../common/errors/common-error';
import { AlertRule } from '../alert/alert-rule.entity';
import { AlertChannel, AlertRuleKind, AlertWindow } from '../alert/alert-severity';
import type { StoredSpendControls } from '../usage/ingest/spend-guard';
import type { SpendControls, SpendControlsInput } from './dto/spend-controls.types';
import { checkThresholds, mergeControls, spendControlsView, thresholdChanges, thresholdSeverity } from './spend-control-rules';
import { SpendControl } from './spend-control.entity';

/** An organisation's controls, plan, budget alert rules and the current period's cost, in one round trip. */
interface ControlsRow {
  currency: string;
  plan_budget: string | null;
  plan_auto_pause: boolean | null;
  controls: StoredSpendControls | null;
  /** [rule id, percent] of the budget alert rules. */
  rules: Array<[string, string]>;
  spent: string;
}

const ROW = namedStatement(
  ['org'],
  (p) => `SELECT o.currency, pl.monthly_budget::text AS plan_budget, pl.auto_pause_at_budget AS plan_auto_pause,
    (SELECT json_build_object('monthlyBudget', c.monthly_budget::text, 'autoPause', c.auto_pause, 'perEventLimit', c.per_event_limit::text,
                              'perHourLimit', c.per_hour_limit::text, 'perDayLimit', c.per_day_limit::text)
       FROM spend_controls c WHERE c.organization_id = o.id) AS controls,
    (SELECT coalesce(json_agg(json_build_array(r.id, r.threshold_percent::text) ORDER BY r.threshold_percent), '[]')
       FROM alert_rules r
      WHERE r.organization_id = o.id AND ${budgetRuleWhere('r')}) AS rules,
    (SELECT coalesce(sum(t.cost), 0)::text FROM usage_totals t
      WHERE t.organization_id = o.id
        AND t.period_start = date_trunc('month', organization_now(o) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS spent
  FROM organizations o
  LEFT JOIN plan_subscriptions s ON s.organization_id = o.id
  LEFT JOIN plans pl ON pl.id = s.plan_id
 WHERE o.id = ${p.org}`,
);

/** The budget alert rules: the organisation's default cost rules, which alertThresholds are. */
function budgetRuleWhere(alias: string): string {
  return `${alias}.is_default AND ${alias}.kind = '${AlertRuleKind.COST}' AND ${alias}."window" = '${AlertWindow.PERIOD}'
        AND ${alias}.metric_id IS NULL AND ${alias}.team IS NULL AND ${alias}.project IS NULL AND ${alias}.threshold_percent IS NOT NULL`;
}

/**
 * Spend controls: an organisation's budget, auto-pause, budget alert thresholds and blocking limits. Ingestion
 * reads them with the organisation under its lock (UsageIngestService), entitlements with its snapshot; a change
 * is announced on the usage bus (`announce`) so that every node's entitlement cache drops the organisation.
 */
export class SpendControlService {
  constructor(
    private readonly db: DataSource,
    private readonly announce: (organizationId: string) => Promise<void>,
  ) {}

  async get(principal: Principal, organizationIdInput: string): Promise<SpendControls> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    return this.view(this.db.manager, organizationId);
  }

  async set(principal: Principal, input: SpendControlsInput): Promise<SpendControls> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_SPEND_CONTROLS, input.organizationId);
    const thresholds = input.alertThresholds === undefined ? undefined : checkThresholds(input.alertThresholds);
    const answer = await this.db.transaction(async (tx) => {
      // Row-locks the organisation: two changes at once each start from the other's result.
      await tx.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [organizationId]);
      const row = await this.read(tx, organizationId);
      const merged = mergeControls(row.controls, input, row.currency, { monthlyBudget: row.plan_budget });
      await tx.getRepository(SpendControl).upsert({ organizationId, ...merged }, ['organizationId']);
      if (thresholds) await this.replaceBudgetRules(tx, organizationId, row.rules, thresholds);
      return this.view(tx, organizationId);
    });
    await this.announce(organizationId);
    return answer;
  }

  /** Keeps the budget rules whose percentage stays (their alerts stay raised once), removes and adds the rest. */
  private async replaceBudgetRules(
    tx: EntityManager,
    organizationId: string,
    rules: ControlsRow['rules'],
    thresholds: number[],
  ): Promise<void> {
    const { remove, add } = thresholdChanges(
      rules.map(([id, percent]) => ({ id, percent: Number(percent) })),
      thresholds,
    );
    if (remove.length) await tx.getRepository(AlertRule).delete({ organizationId, id: In(remove) });
    if (!add.length) return;
    await tx.getRepository(AlertRule).insert(
      add.map((percent) => ({
        organizationId,
        kind: AlertRuleKind.COST,
        metricId: null,
        thresholdPercent: String(percent),
        thresholdAmount: null,
        severity: thresholdSeverity(percent),
        channels: [AlertChannel.IN_APP, AlertChannel.EMAIL],
        window: AlertWindow.PERIOD,
        team: null,
        project: null,
        isDefault: true,
      })),
    );
  }

  private async read(manager: EntityManager, organizationId: string): Promise<ControlsRow> {
    const rows = await manager.query<ControlsRow[]>(ROW.text, ROW.values({ org: organizationId }));
    const row = rows[0];
    if (!row) throw organizationNotFound(organizationId);
    return row;
  }

  private async view(manager: EntityManager, organizationId: string): Promise<SpendControls> {
    const row = await this.read(manager, organizationId);
    const plan = row.plan_auto_pause === null ? null : { monthlyBudget: row.plan_budget, autoPauseAtBudget: row.plan_auto_pause };
    const thresholds = row.rules.map(([, percent]) => Number(percent));
    return spendControlsView(row.controls, plan, thresholds, row.spent, row.currency);
  }
}
