import { Dec } from '../../common/money/decimal';
import { AlertRuleKind, AlertSeverity, AlertWindow } from './alert-severity';

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
  kind: string;
  severity: AlertSeverity;
  metricCode: string | null;
  threshold: string;
  value: string;
  message: string;
  channels: string[];
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
  /** Values measured in SQL for rules scoped to a team or project, or to an hour or day: by rule id, with the window they cover. */
  measured: ReadonlyMap<string, { value: Dec; windowStart: Date }>;
}

/** Whether a rule needs a value measured in SQL rather than the batch's own totals. */
export const needsMeasurement = (rule: RuleTerms): boolean =>
  rule.team !== null || rule.project !== null || rule.window !== AlertWindow.PERIOD;

/**
 * Whether a batch needs the rule measured: not forecast rules (checked with
 * the billing cycle), and a usage rule on one metric only when the batch
 * touched that metric (evaluateRules looks at no other).
 */
export const measuredFor = (rule: RuleTerms, touchedMetrics: ReadonlySet<string>): boolean =>
  rule.window !== AlertWindow.FORECAST &&
  needsMeasurement(rule) &&
  (rule.kind !== AlertRuleKind.USAGE || rule.metricId === null || touchedMetrics.has(rule.metricId));

/** A rule's threshold: its amount, or its percent of `base` (a limit or budget); null when a percent has no base. */
export function thresholdOf(rule: Pick<RuleTerms, 'thresholdPercent' | 'thresholdAmount'>, base: string | null): Dec | null {
  if (rule.thresholdPercent === null) return new Dec(rule.thresholdAmount!);
  return base === null ? null : new Dec(base).times(rule.thresholdPercent).div(100);
}

/** The alert a rule raises for its window `key` when `value` reached a positive `threshold`, else null. */
export function crossed(
  rule: Pick<RuleTerms, 'id' | 'severity' | 'channels'>,
  key: string,
  kind: string,
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
 * Which rules the batch made cross their thresholds. Pure: a crossed rule is
 * reported every time it is evaluated, and the unique dedup key of its window
 * (period, hour or day) makes it fire once.
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
        const value = needsMeasurement(rule) ? measured?.value : total.quantity;
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
      fire(
        rule,
        measured.windowStart.toISOString(),
        'spend',
        null,
        threshold,
        measured.value,
        `Spend this ${per} reached ${measured.value.toFixed()} ${input.currency}, past the limit of ${threshold.toFixed()} ${input.currency}`,
      );
      continue;
    }
    const threshold = thresholdOf(rule, input.budget);
    if (!threshold) continue;
    for (const [periodMs, cost] of input.periodCosts) {
      const value = needsMeasurement(rule) ? measured?.value : cost;
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

/** Every organisation starts with these (seed 003: usage 80 / 95 / 100 %; seed 004: budget 50 / 80 / 95 %). */
export const DEFAULT_RULES: Array<{ kind: AlertRuleKind; percent: number; severity: AlertSeverity }> = [
  { kind: AlertRuleKind.USAGE, percent: 80, severity: AlertSeverity.WARNING },
  { kind: AlertRuleKind.USAGE, percent: 95, severity: AlertSeverity.CRITICAL },
  { kind: AlertRuleKind.USAGE, percent: 100, severity: AlertSeverity.CRITICAL },
  { kind: AlertRuleKind.COST, percent: 50, severity: AlertSeverity.INFO },
  { kind: AlertRuleKind.COST, percent: 80, severity: AlertSeverity.WARNING },
  { kind: AlertRuleKind.COST, percent: 95, severity: AlertSeverity.CRITICAL },
];
