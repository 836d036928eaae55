import { namedStatement } from '../../common/database/pg-array';
import type { Period } from '../../common/time/billing-period';
import type { Dimensions } from '../rating/price-calculator';
import { Aggregation } from '../metric/aggregation';

/*
 * The SQL of usage reads and the rows it returns. Whole-month unfiltered
 * reads use usage_totals and usage_price_totals (kept at ingest); filtered or
 * partial-month reads the hourly usage_rollups; minute series raw events.
 */

/** A read's filter, resolved: null or absent means any. */
export interface RollupFilter {
  team?: string | null;
  project?: string | null;
  user?: string | null;
  metricId?: string;
  dimensions?: Record<string, unknown>;
}

/**
 * The SQL aggregate of rollup cells for each aggregation; see UsageAggregator for what `quantity` holds. Daily
 * peaks are averaged over whole periods only (usage_totals): over hours or a slice, the highest reading in them.
 */
const ROLLUP_QUANTITY = `CASE m.aggregation
    WHEN 'MAX' THEN max(r.max_quantity)
    WHEN 'DAILY_PEAK_AVERAGE' THEN max(r.max_quantity)
    WHEN 'LATEST' THEN (array_agg(r.latest_quantity ORDER BY r.latest_at DESC))[1]
    ELSE sum(r.quantity) END`;

/** The parameters of a filtered read: the organisation, the period [from, to) and the filter (null: any). */
const FILTER_PARAMETERS = ['org', 'from', 'to', 'metric', 'team', 'project', 'user', 'dimensions'] as const;
type FilterParameter = (typeof FILTER_PARAMETERS)[number];
type FilterSql = Record<FilterParameter, string>;

/** The filter's conditions on the table aliased `a`. */
const filterClause = (
  a: string,
  p: FilterSql,
) => `${a}.organization_id = ${p.org} AND (${p.metric}::uuid IS NULL OR ${a}.metric_id = ${p.metric})
  AND (${p.team}::text IS NULL OR ${a}.team = ${p.team}) AND (${p.project}::text IS NULL OR ${a}.project = ${p.project})
  AND (${p.user}::text IS NULL OR ${a}.user_key = ${p.user}) AND (${p.dimensions}::jsonb IS NULL OR ${a}.dimensions @> ${p.dimensions}::jsonb)`;

export const filterValues = (organizationId: string, period: Period, f: RollupFilter): Record<FilterParameter, unknown> => ({
  org: organizationId,
  from: period.start,
  to: period.end,
  metric: f.metricId ?? null,
  team: f.team ?? null,
  project: f.project ?? null,
  user: f.user ?? null,
  dimensions: f.dimensions ? JSON.stringify(f.dimensions) : null,
});

/**
 * Each metric's quantity and cost over whole months from usage_totals
 * (`org`, `from`, `to` and `metric` are SQL expressions).
 */
const TOTALS_SQL = (org: string, from: string, to: string, metric: string) => `SELECT t.metric_id,
       CASE m.aggregation
         WHEN 'MAX' THEN max(t.quantity)
         WHEN 'LATEST' THEN (array_agg(t.latest_quantity ORDER BY t.latest_at DESC NULLS LAST))[1]
         WHEN 'UNIQUE_COUNT' THEN CASE WHEN count(*) = 1 THEN sum(t.quantity) ELSE (
           SELECT count(DISTINCT v.value) FROM usage_unique_values v
            WHERE v.organization_id = ${org} AND v.metric_id = t.metric_id AND v.period_start >= ${from} AND v.period_start < ${to}) END
         ELSE sum(t.quantity) END AS quantity,
       sum(t.cost) AS cost
  FROM usage_totals t JOIN metrics m ON m.id = t.metric_id
 WHERE t.organization_id = ${org} AND t.period_start >= ${from} AND t.period_start < ${to} AND (${metric}::uuid IS NULL OR t.metric_id = ${metric})
 GROUP BY t.metric_id, m.aggregation`;

/** Rate-card metrics' per-price totals over whole months, kept at ingest: a few rows however many events. */
const PRICE_TOTALS_SQL = (org: string, from: string, to: string, metric: string) => `SELECT metric_id, label, min(unit_price) AS unit_price,
       sum(quantity) AS quantity, sum(cost) AS cost
  FROM usage_price_totals
 WHERE organization_id = ${org} AND period_start >= ${from} AND period_start < ${to} AND (${metric}::uuid IS NULL OR metric_id = ${metric})
 GROUP BY 1, 2`;

/** Each metric's quantity and cost: rows of TOTALS_SQL or of a rollup aggregate. */
export interface MetricAggregateRow {
  metric_id: string;
  quantity: string | null;
  cost: string | null;
}

/** A rate-card price's totals: rows of PRICE_TOTALS_SQL. */
export interface PriceTotalRow {
  metric_id: string;
  label: string;
  unit_price: string | null;
  quantity: string;
  cost: string;
}

/** A rate-card metric's usage in one dimension set. */
export interface DimensionCellRow {
  metric_id: string;
  dimensions: Dimensions;
  quantity: string;
  cost: string;
}

export interface PeriodCostRow {
  cost: string | null;
}

export interface SeriesPointRow {
  at: Date;
  quantity: string | null;
  cost: string | null;
}

export interface QueryContextRow {
  currency: string;
  /** The organisation's clock: organization_now(o). */
  now: Date;
  plan_id: string | null;
}

/** The default report's one row: totals as [metric, quantity, cost], prices as [metric, label, unit price, quantity, cost]. */
export interface CurrentMonthRow extends QueryContextRow {
  totals: Array<[string, string | null, string | null]>;
  prices: Array<[string, string, string | null, string, string]>;
  period_cost: string | null;
}

/** The organisation, its clock (`now` when it has no test clock) and plan, and the month's figures, in one statement. */
export const CURRENT_MONTH = namedStatement(
  ['org', 'metric'],
  (p) => `WITH o AS (SELECT id, currency, organization_now(org) AS now FROM organizations org WHERE id = ${p.org}),
               b AS (SELECT start, start + interval '1 month' AS finish
                       FROM (SELECT date_trunc('month', o.now AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start FROM o) AS s)
          SELECT o.currency, o.now, s.plan_id,
                 (SELECT coalesce(json_agg(json_build_array(t.metric_id, t.quantity::text, t.cost::text)), '[]')
                    FROM (${TOTALS_SQL(p.org, 'b.start', 'b.finish', p.metric)}) AS t) AS totals,
                 (SELECT coalesce(json_agg(json_build_array(p.metric_id, p.label, p.unit_price::text, p.quantity::text, p.cost::text)), '[]')
                    FROM (${PRICE_TOTALS_SQL(p.org, 'b.start', 'b.finish', p.metric)}) AS p) AS prices,
                 (SELECT sum(cost)::text FROM usage_totals WHERE organization_id = ${p.org} AND period_start = b.start) AS period_cost
            FROM o CROSS JOIN b LEFT JOIN plan_subscriptions s ON s.organization_id = o.id`,
);

export const CONTEXT = namedStatement(
  ['org'],
  (p) => `SELECT o.currency, organization_now(o) AS now, s.plan_id
            FROM organizations o LEFT JOIN plan_subscriptions s ON s.organization_id = o.id WHERE o.id = ${p.org}`,
);

export const TOTALS = namedStatement(['org', 'from', 'to', 'metric'], (p) => TOTALS_SQL(p.org, p.from, p.to, p.metric));

export const ROLLUP_AGGREGATES = namedStatement(
  FILTER_PARAMETERS,
  (p) => `SELECT r.metric_id, ${ROLLUP_QUANTITY} AS quantity, sum(r.cost) AS cost
            FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
           WHERE r.bucket_start >= ${p.from} AND r.bucket_start < ${p.to} AND ${filterClause('r', p)}
           GROUP BY r.metric_id, m.aggregation`,
);

export const RATE_CARD_PRICE_TOTALS = namedStatement(
  ['org', 'from', 'to', 'metricIds'],
  (p) => `SELECT * FROM (${PRICE_TOTALS_SQL(p.org, p.from, p.to, 'NULL')}) AS p WHERE metric_id = ANY(${p.metricIds}::uuid[])`,
);

export const RATE_CARD_CELLS = namedStatement(
  [...FILTER_PARAMETERS, 'metricIds'],
  (p) => `SELECT r.metric_id, r.dimensions, sum(r.quantity) AS quantity, sum(r.cost) AS cost FROM usage_rollups r
           WHERE r.bucket_start >= ${p.from} AND r.bucket_start < ${p.to} AND ${filterClause('r', p)} AND r.metric_id = ANY(${p.metricIds}::uuid[])
           GROUP BY r.metric_id, r.dimensions`,
);

export const PERIOD_COST = namedStatement(
  ['org', 'periodStart'],
  (p) => `SELECT sum(cost) AS cost FROM usage_totals WHERE organization_id = ${p.org} AND period_start = ${p.periodStart}`,
);

/** A minute series' points, from raw events: the metric's aggregation over each minute. */
export function minuteSeries(aggregation: Aggregation) {
  const quantity =
    aggregation === Aggregation.MAX || aggregation === Aggregation.DAILY_PEAK_AVERAGE
      ? 'max(quantity)'
      : aggregation === Aggregation.LATEST
        ? '(array_agg(quantity ORDER BY occurred_at DESC))[1]'
        : 'sum(delta)';
  return namedStatement(
    FILTER_PARAMETERS,
    (p) => `SELECT date_trunc('minute', occurred_at) AS at, ${quantity} AS quantity, sum(cost) AS cost
                  FROM usage_events e WHERE e.occurred_at >= ${p.from} AND e.occurred_at < ${p.to} AND ${filterClause('e', p)}
                 GROUP BY 1 ORDER BY 1`,
  );
}

/** An hourly or daily series' points, from the hourly rollups. */
export function rollupSeries(unit: 'hour' | 'day') {
  return namedStatement(
    FILTER_PARAMETERS,
    (
      p,
    ) => `SELECT date_trunc('${unit}', r.bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, ${ROLLUP_QUANTITY} AS quantity, sum(r.cost) AS cost
                  FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
                 WHERE r.bucket_start >= ${p.from} AND r.bucket_start < ${p.to} AND ${filterClause('r', p)}
                 GROUP BY 1, m.aggregation ORDER BY 1`,
  );
}
