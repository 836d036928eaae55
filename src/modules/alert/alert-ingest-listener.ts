import { LRUCache } from 'lru-cache';
import type { EntityManager } from 'typeorm';
import { namedParameters } from '../../common/database/pg-array';
import { connectionOf } from '../../common/database/pg-driver';
import { Dec } from '../../common/money/decimal';
import type { IngestedBatch, IngestListener } from '../usage/usage-ingest.service';
import type { RatingCatalog } from '../rating/rating-catalog';
import { evaluateRules, measureWindows, type MeasureWindow, type RuleTerms } from './alert-evaluator';
import type { AlertRaiser } from './alert-raiser';

const RULES = namedParameters(['org'] as const);
/** In the order of the rules' listing (AlertRuleService): alerts of one batch fire in that order. */
const RULES_SQL = `SELECT id, kind, metric_id AS "metricId", threshold_percent AS "thresholdPercent", threshold_amount AS "thresholdAmount",
       severity, channels, "window", team, project
  FROM alert_rules WHERE organization_id = ${RULES.sql.org} ORDER BY created_at, kind DESC, threshold_percent, threshold_amount, id`;

const MEASURE = namedParameters(['org', 'start', 'finish', 'metric', 'team', 'project', 'aggregate'] as const);
const $ = MEASURE.sql;
const MEASURE_SQL = `SELECT v.value
  FROM unnest(${$.start}::timestamptz[], ${$.finish}::timestamptz[], ${$.metric}::uuid[], ${$.team}::text[], ${$.project}::text[], ${$.aggregate}::text[])
       WITH ORDINALITY AS w(start, finish, metric, team, project, aggregate, n)
 CROSS JOIN LATERAL (
       SELECT CASE w.aggregate WHEN 'cost' THEN sum(r.cost) WHEN 'max' THEN max(r.max_quantity) ELSE sum(r.quantity) END AS value
         FROM usage_rollups r
        WHERE r.organization_id = ${$.org} AND r.bucket_start >= w.start AND r.bucket_start < w.finish
          AND (w.metric IS NULL OR r.metric_id = w.metric) AND (w.team IS NULL OR r.team = w.team)
          AND (w.project IS NULL OR r.project = w.project)) v
 ORDER BY w.n`;

interface MeasuredRow {
  value: string | null;
}

/**
 * Usage rules, evaluated inside the ingest transaction of the batch that
 * crossed them: the alert, its deliveries (outbox) and the live notification
 * commit with the usage, once per window thanks to the unique dedup key.
 */
export class AlertIngestListener implements IngestListener {
  /**
   * Dedup keys known to be in the alerts table, so batches after a crossing
   * need not send an insert the unique key would drop. Only an optimisation: a
   * key missing here (another node, a restart, an eviction) costs one harmless
   * ON CONFLICT DO NOTHING.
   */
  private readonly recorded = new LRUCache<string, true>({ max: 50_000 });

  constructor(
    private readonly catalog: RatingCatalog,
    private readonly raiser: AlertRaiser,
  ) {}

  async afterIngest(tx: EntityManager, batch: IngestedBatch): Promise<(() => Promise<void>) | void> {
    // A prepared statement: this runs on every batch, where TypeORM's find built its query each time.
    const { rows: rules } = await (
      await connectionOf(tx)
    ).query<RuleTerms>({ name: 'meterly_alert_rules', text: RULES_SQL, values: RULES.values({ org: batch.organizationId }) });
    if (rules.length === 0) return;
    const metrics = await this.catalog.metricsWithIds([
      ...rules.flatMap((r) => (r.metricId === null ? [] : [r.metricId])),
      ...batch.totals.map((t) => t.metricId),
    ]);
    const measured = await this.measure(tx, batch.organizationId, measureWindows(rules, batch.rollups, metrics));
    const fired = evaluateRules(rules, {
      currency: batch.currency,
      metrics,
      charges: batch.terms?.charges ?? new Map(),
      budget: batch.budget,
      totals: batch.totals,
      periodCosts: batch.periodCosts,
      measured,
    }).filter((f) => !this.recorded.get(f.dedupKey));
    if (fired.length === 0) return;
    const created = await this.raiser.insert(
      tx,
      fired.map((f) => ({ ...f, organizationId: batch.organizationId, at: batch.now })),
    );
    return async () => {
      // Committed now, inserted by this batch or an earlier one; a rolled-back batch never gets here, so its alerts are retried.
      for (const f of fired) this.recorded.set(f.dedupKey, true);
      await this.raiser.announce(created);
    };
  }

  /**
   * The measured rules' values after the batch, in the windows it touched: a
   * team's or project's share of a period, or the spend of an hour or day.
   * One statement for every rule and window; by rule id and window start.
   */
  private async measure(tx: EntityManager, organizationId: string, windows: MeasureWindow[]): Promise<Map<string, Map<number, Dec>>> {
    const measured = new Map<string, Map<number, Dec>>();
    if (windows.length === 0) return measured;
    const rows: MeasuredRow[] = await tx.query(
      MEASURE_SQL,
      MEASURE.values({
        org: organizationId,
        start: windows.map((w) => w.start.toISOString()),
        finish: windows.map((w) => w.end.toISOString()),
        metric: windows.map((w) => w.metricId),
        team: windows.map((w) => w.team),
        project: windows.map((w) => w.project),
        aggregate: windows.map((w) => w.aggregate),
      }),
    );
    windows.forEach((window, i) => {
      const byStart = measured.get(window.ruleId) ?? new Map<number, Dec>();
      byStart.set(window.start.getTime(), new Dec(rows[i]!.value ?? 0));
      measured.set(window.ruleId, byStart);
    });
    return measured;
  }
}
