import { Dec } from '../../common/money/decimal';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import { Aggregation } from '../metric/aggregation';
import type { RollupDelta } from '../usage/ingest/aggregator-state';
import { type AlertKind, AlertRuleKind, AlertSeverity, AlertWindow } from './alert-severity';

export interface RuleTerms {
  id: string;
  kind: AlertRuleKind;
  metricId: string | null;
  thresholdPercent: string | null;
  thresholdAmount: string | null;
  severity: AlertSeverity;
  channels: string[];
  window: AlertWindow;
  team: string | null;
  project: string | null;
}

export interface FiredAlert {
  /** Null for system alerts (payments, overdue invoices). */
  ruleId: string | null;
  dedupKey: string;
  kind: `${AlertKind}`;
  severity: AlertSeverity;
  metricCode: string | null;
  threshold: string;
  value: string;
  message: string;
  channels: string[];
}

/** A rollup cell (an hour of a metric, team and project) the batch added to: where its events fell. */
export type BatchCell = Pick<RollupDelta, 'metricId' | 'bucket' | 'team' | 'project'>;

/** A window of a measured rule that a batch touched: what SQL reads of the rollups. */
export interface MeasureWindow {
  ruleId: string;
  start: Date;
  end: Date;
  metricId: string | null;
  team: string | null;
  project: string | null;
  aggregate: 'cost' | 'quantity' | 'max';
}

export interface EvaluationInput {
  currency: string;
  metrics: ReadonlyMap<string, { code: string; unit: string }>;
  /** The plan's charges by metric id, for their limits. */
  charges: ReadonlyMap<string, { limit: string | null }>;
  budget: string | null;
  /** Metric totals the batch changed, after it. */
  totals: ReadonlyArray<{ metricId: string; periodStart: Date; quantity: Dec }>;
  /** Usage cost of each period the batch touched (ms of its start), after it. */
  periodCosts: ReadonlyMap<number, Dec>;
  /** Measured rules (scoped to a team or project, or to an hour or day): by rule id and window start (ms), in the windows the batch touched, after it. */
  measured: ReadonlyMap<string, ReadonlyMap<number, Dec>>;
}

/** Whether a rule needs a value measured in SQL rather than the batch's own totals. */
export const needsMeasurement = (rule: RuleTerms): boolean =>
  rule.team !== null || rule.project !== null || rule.window !== AlertWindow.PERIOD;

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** The window of a rule that holds an hour's bucket: that hour, its UTC day, or the period the bucket's events belong to. */
function windowOf(window: AlertWindow, bucket: Date): Period {
  if (window === AlertWindow.HOUR) return { start: bucket, end: new Date(bucket.getTime() + HOUR_MS) };
  if (window === AlertWindow.DAY) {
    const start = new Date(Math.floor(bucket.getTime() / DAY_MS) * DAY_MS);
    return { start, end: new Date(start.getTime() + DAY_MS) };
  }
  return monthPeriod(bucket);
}

/**
 * The windows to measure for a batch: of each measured rule, those in which
 * the batch added to the rule's metric, team and project (late events: their
 * own hour, day or period). Not forecast rules, checked with the billing cycle.
 */
export function measureWindows(
  rules: readonly RuleTerms[],
  cells: readonly BatchCell[],
  metrics: ReadonlyMap<string, { aggregation: Aggregation }>,
): MeasureWindow[] {
  const windows: MeasureWindow[] = [];
  for (const rule of rules) {
    if (rule.window === AlertWindow.FORECAST || !needsMeasurement(rule)) continue;
    const aggregate =
      rule.kind === AlertRuleKind.COST
        ? 'cost'
        : rule.metricId !== null && metrics.get(rule.metricId)?.aggregation === Aggregation.MAX
          ? 'max'
          : 'quantity';
    const byStart = new Map<number, MeasureWindow>();
    for (const cell of cells) {
      if (rule.metricId !== null && cell.metricId !== rule.metricId) continue;
      if ((rule.team !== null && cell.team !== rule.team) || (rule.project !== null && cell.project !== rule.project)) continue;
      const { start, end } = windowOf(rule.window, cell.bucket);
      if (byStart.has(start.getTime())) continue;
      const { id: ruleId, metricId, team, project } = rule;
      byStart.set(start.getTime(), { ruleId, start, end, metricId, team, project, aggregate });
    }
    windows.push(...byStart.values());
  }
  return windows;
}

/** A rule's threshold: its amount, or its percent of `base` (a limit or budget); null when a percent has no base. */
export function thresholdOf(rule: Pick<RuleTerms, 'thresholdPercent' | 'thresholdAmount'>, base: string | null): Dec | null {
  if (rule.thresholdPercent === null) return new Dec(rule.thresholdAmount!);
  return base === null ? null : new Dec(base).times(rule.thresholdPercent).div(100);
}

/** The alert a rule raises for its window `key` when `value` reached a positive `threshold`, else null. */
export function crossed(
  rule: Pick<RuleTerms, 'id' | 'severity' | 'channels'>,
  key: string,
  kind: `${AlertKind}`,
  metricCode: string | null,
  threshold: Dec,
  value: Dec,
  message: string,
): FiredAlert | null {
  if (!value.greaterThanOrEqualTo(threshold) || !threshold.greaterThan(0)) return null;
  return {
    ruleId: rule.id,
    dedupKey: `rule:${rule.id}:${key}`,
    kind,
    severity: rule.severity,
    metricCode,
    threshold: threshold.toFixed(),
    value: value.toFixed(),
    message,
    channels: rule.channels,
  };
}

const scopeText = (rule: RuleTerms) =>
  [rule.team && `team ${rule.team}`, rule.project && `project ${rule.project}`].filter(Boolean).join(', ');
const pct = (rule: RuleTerms) => new Dec(rule.thresholdPercent!).toFixed();

/**
 * Which rules are at or past their thresholds in the windows the batch
 * touched. Pure: a crossed rule is reported every time it is evaluated (so a
 * rule created, or a limit lowered, under a value already past it fires on
 * the next batch), and the unique dedup key of its window (period, hour or
 * day) makes it fire once.
 */
export function evaluateRules(rules: RuleTerms[], input: EvaluationInput): FiredAlert[] {
  const fired: FiredAlert[] = [];
  const fire = (...args: Parameters<typeof crossed>) => {
    const alert = crossed(...args);
    if (alert) fired.push(alert);
  };

  for (const rule of rules) {
    // Forecast rules are checked with the billing cycle, on the projection, not on each batch.
    if (rule.window === AlertWindow.FORECAST) continue;
    const measured = input.measured.get(rule.id);
    if (rule.kind === AlertRuleKind.USAGE) {
      for (const total of input.totals) {
        if (rule.metricId !== null && rule.metricId !== total.metricId) continue;
        const metric = input.metrics.get(total.metricId);
        const limit = input.charges.get(total.metricId)?.limit ?? null;
        const threshold = thresholdOf(rule, limit);
        if (!metric || !threshold) continue;
        const value = needsMeasurement(rule) ? measured?.get(total.periodStart.getTime()) : total.quantity;
        if (!value) continue;
        const scope = scopeText(rule);
        const what =
          rule.thresholdPercent !== null
            ? `${pct(rule)}% of its limit (${value.toFixed()} of ${limit} ${metric.unit})`
            : `${threshold.toFixed()} ${metric.unit} (${value.toFixed()})`;
        fire(
          rule,
          `${total.metricId}:${total.periodStart.toISOString()}`,
          'usage',
          metric.code,
          threshold,
          value,
          `${metric.code}${scope ? ` for ${scope}` : ''} reached ${what}`,
        );
      }
      continue;
    }
    if (rule.window !== AlertWindow.PERIOD) {
      if (!measured || rule.thresholdAmount === null) continue;
      const threshold = new Dec(rule.thresholdAmount);
      const per = rule.window === AlertWindow.HOUR ? 'hour' : 'day';
      for (const [windowMs, value] of measured) {
        fire(
          rule,
          new Date(windowMs).toISOString(),
          'spend',
          null,
          threshold,
          value,
          `Spend this ${per} reached ${value.toFixed()} ${input.currency}, past the limit of ${threshold.toFixed()} ${input.currency}`,
        );
      }
      continue;
    }
    const threshold = thresholdOf(rule, input.budget);
    if (!threshold) continue;
    for (const [periodMs, cost] of input.periodCosts) {
      const value = needsMeasurement(rule) ? measured?.get(periodMs) : cost;
      if (!value) continue;
      const scope = scopeText(rule);
      const what =
        rule.thresholdPercent !== null
          ? `${pct(rule)}% of the ${input.budget} ${input.currency} budget (${value.toFixed()} ${input.currency})`
          : `${threshold.toFixed()} ${input.currency} (${value.toFixed()} ${input.currency})`;
      fire(
        rule,
        new Date(periodMs).toISOString(),
        'cost',
        null,
        threshold,
        value,
        `Spend this period${scope ? ` for ${scope}` : ''} reached ${what}`,
      );
    }
  }
  return fired;
}

/** Every organisation starts with these: each limited metric at 80, 95 and 100 % of its limit, cost at 50, 80 and 95 % of the budget. */
export const DEFAULT_RULES: Array<{ kind: AlertRuleKind; percent: number; severity: AlertSeverity }> = [
  { kind: AlertRuleKind.USAGE, percent: 80, severity: AlertSeverity.WARNING },
  { kind: AlertRuleKind.USAGE, percent: 95, severity: AlertSeverity.CRITICAL },
  { kind: AlertRuleKind.USAGE, percent: 100, severity: AlertSeverity.CRITICAL },
  { kind: AlertRuleKind.COST, percent: 50, severity: AlertSeverity.INFO },
  { kind: AlertRuleKind.COST, percent: 80, severity: AlertSeverity.WARNING },
  { kind: AlertRuleKind.COST, percent: 95, severity: AlertSeverity.CRITICAL },
];
