import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { namedStatement } from '../../common/database/pg-array';
import { preparedQuery } from '../../common/database/pg-driver';
import { organizationNotFound } from '../../common/errors/common-error';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney, ZERO } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import { Aggregation } from '../metric/aggregation';
import type { ChargeRule } from '../rating/charge-rule';
import { hasRateCard, type Dimensions } from '../rating/price-calculator';
import type { PlanTerms, RatingCatalog } from '../rating/rating-catalog';
import { billedByMetric, usageLines, type RateCell } from '../rating/usage-lines';
import {
  Granularity,
  type MetricUsage,
  type UsageFilterInput,
  type UsagePoint,
  type UsageReport,
  type UsageSeries,
} from './dto/usage.types';
import { UsageError, UsageErrorReason } from './usage.error';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NEAR_LIMIT_PERCENT = 80;

interface MetricAggregate {
  metricId: string;
  quantity: Dec;
  cost: Dec;
}

interface RollupFilter {
  team?: string | null;
  project?: string | null;
  user?: string | null;
  metricId?: string;
  dimensions?: Record<string, unknown>;
}

/** The SQL aggregate of rollup cells for each aggregation; see UsageAggregator for what `quantity` holds. */
const ROLLUP_QUANTITY = `CASE m.aggregation
    WHEN 'MAX' THEN max(r.max_quantity)
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

const filterValues = (organizationId: string, period: Period, f: RollupFilter): Record<FilterParameter, unknown> => ({
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
interface MetricAggregateRow {
  metric_id: string;
  quantity: string | null;
  cost: string | null;
}

/** A rate-card price's totals: rows of PRICE_TOTALS_SQL. */
interface PriceTotalRow {
  metric_id: string;
  label: string;
  unit_price: string | null;
  quantity: string;
  cost: string;
}

/** A rate-card metric's usage in one dimension set. */
interface DimensionCellRow {
  metric_id: string;
  dimensions: Dimensions;
  quantity: string;
  cost: string;
}

interface PeriodCostRow {
  cost: string | null;
}

interface SeriesPointRow {
  at: Date;
  quantity: string | null;
  cost: string | null;
}

interface QueryContextRow {
  currency: string;
  /** The organisation's clock: organization_now(o). */
  now: Date;
  plan_id: string | null;
}

/** The default report's one row: totals as [metric, quantity, cost], prices as [metric, label, unit price, quantity, cost]. */
interface CurrentMonthRow extends QueryContextRow {
  totals: Array<[string, string | null, string | null]>;
  prices: Array<[string, string, string | null, string, string]>;
  period_cost: string | null;
}

/** The organisation, its clock (`now` when it has no test clock) and plan, and the month's figures, in one statement. */
const CURRENT_MONTH = namedStatement(
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

const CONTEXT = namedStatement(
  ['org'],
  (p) => `SELECT o.currency, organization_now(o) AS now, s.plan_id
            FROM organizations o LEFT JOIN plan_subscriptions s ON s.organization_id = o.id WHERE o.id = ${p.org}`,
);

const TOTALS = namedStatement(['org', 'from', 'to', 'metric'], (p) => TOTALS_SQL(p.org, p.from, p.to, p.metric));

const ROLLUP_AGGREGATES = namedStatement(
  FILTER_PARAMETERS,
  (p) => `SELECT r.metric_id, ${ROLLUP_QUANTITY} AS quantity, sum(r.cost) AS cost
            FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
           WHERE r.bucket_start >= ${p.from} AND r.bucket_start < ${p.to} AND ${filterClause('r', p)}
           GROUP BY r.metric_id, m.aggregation`,
);

const RATE_CARD_PRICE_TOTALS = namedStatement(
  ['org', 'from', 'to', 'metricIds'],
  (p) => `SELECT * FROM (${PRICE_TOTALS_SQL(p.org, p.from, p.to, 'NULL')}) AS p WHERE metric_id = ANY(${p.metricIds}::uuid[])`,
);

const RATE_CARD_CELLS = namedStatement(
  [...FILTER_PARAMETERS, 'metricIds'],
  (p) => `SELECT r.metric_id, r.dimensions, sum(r.quantity) AS quantity, sum(r.cost) AS cost FROM usage_rollups r
           WHERE r.bucket_start >= ${p.from} AND r.bucket_start < ${p.to} AND ${filterClause('r', p)} AND r.metric_id = ANY(${p.metricIds}::uuid[])
           GROUP BY r.metric_id, r.dimensions`,
);

const PERIOD_COST = namedStatement(
  ['org', 'periodStart'],
  (p) => `SELECT sum(cost) AS cost FROM usage_totals WHERE organization_id = ${p.org} AND period_start = ${p.periodStart}`,
);

/** What a report is made of, however it was read. */
interface ReportInputs {
  currency: string;
  period: Period;
  terms: PlanTerms | null;
  aggregates: Map<string, MetricAggregate>;
  budgetPaused: boolean;
  cells: Map<string, RateCell[]>;
}

/** The organisation as reads need it: its currency, its clock and its plan. */
interface QueryContext {
  currency: string;
  /** Its test clock, or real time. */
  now: Date;
  subscription: { planId: string } | null;
}

/** Rows of (metric, quantity, cost) as aggregates by metric; an empty aggregate reads as zero. */
function aggregatesFrom(rows: Array<[metricId: string, quantity: string | null, cost: string | null]>): Map<string, MetricAggregate> {
  return new Map(
    rows.map(([metricId, quantity, cost]) => [metricId, { metricId, quantity: new Dec(quantity ?? 0), cost: new Dec(cost ?? 0) }]),
  );
}

/** No team, project, user or dimension filter: whole-organisation figures. */
const isUnfiltered = (f: RollupFilter) => !f.team && !f.project && !f.user && !f.dimensions;

/** Adds a rate-card cell to its metric's list. */
function addCell(cells: Map<string, RateCell[]>, metricId: string, cell: RateCell): void {
  const list = cells.get(metricId);
  if (list) list.push(cell);
  else cells.set(metricId, [cell]);
}

/** Metrics of the plan priced by a rate card (only `metricId`, when given). */
function rateCardMetrics(charges: ReadonlyMap<string, ChargeRule>, metricId: string | undefined): Set<string> {
  return new Set([...charges].filter(([id, charge]) => hasRateCard(charge) && (!metricId || metricId === id)).map(([id]) => id));
}

/**
 * Reads of usage. Unfiltered whole-month reads come from usage_totals (one row
 * per metric); filtered or partial-month reads from the hourly rollups. Neither
 * touches raw events, so they cost the same at any number of events; only
 * minute series read raw events, over at most a day.
 */
export class UsageQueryService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
  ) {}

  async report(
    principal: Principal,
    organizationIdInput: string,
    period?: { from: Date; to: Date } | null,
    filter?: UsageFilterInput | null,
  ): Promise<UsageReport> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    return this.reportFor(organizationId, period, filter);
  }

  /** The report without an access check: the live hub computes it once per organisation for all its subscribers. */
  async reportFor(
    organizationId: string,
    periodInput?: { from: Date; to: Date } | null,
    filter?: UsageFilterInput | null,
  ): Promise<UsageReport> {
    const rollupFilter = await this.resolveFilter(filter);
    const unfiltered = isUnfiltered(rollupFilter);
    if (!periodInput && unfiltered) return this.assemble(await this.currentMonth(organizationId, rollupFilter.metricId), rollupFilter);

    const context = await this.context(organizationId);
    const period = this.resolvePeriod(context, periodInput);
    const monthly = isWholeMonths(period) && unfiltered;
    const terms = context.subscription ? await this.catalog.planTerms(context.subscription.planId) : null;
    // Independent reads, on separate pooled connections.
    const [aggregates, budgetPaused, cells] = await Promise.all([
      monthly ? this.fromTotals(organizationId, period, rollupFilter.metricId) : this.fromRollups(organizationId, period, rollupFilter),
      this.budgetPaused(organizationId, terms?.plan, monthPeriod(context.now)),
      this.rateCells(organizationId, period, rollupFilter, terms?.charges ?? new Map()),
    ]);
    return this.assemble({ currency: context.currency, period, terms, aggregates, budgetPaused, cells }, rollupFilter);
  }

  /**
   * The default report (current month, no filter but an optional metric) in
   * one statement: the organisation, its plan, the month's totals and per-price
   * totals and the month's cost for the budget. Dashboards and the live hub
   * ask for it far more than for anything else.
   */
  private async currentMonth(organizationId: string, metricId: string | undefined): Promise<ReportInputs> {
    const rows = await preparedQuery<CurrentMonthRow>(
      this.db,
      'meterly_usage_current_month',
      CURRENT_MONTH.text,
      CURRENT_MONTH.values({ org: organizationId, metric: metricId ?? null }),
    );
    const row = rows[0];
    if (!row) throw organizationNotFound(organizationId);
    const terms = row.plan_id ? await this.catalog.planTerms(row.plan_id) : null;
    const period = monthPeriod(row.now);
    const rateCards = rateCardMetrics(terms?.charges ?? new Map(), metricId);
    const cells = new Map<string, RateCell[]>();
    for (const [id, label, unitPrice, quantity, cost] of row.prices) {
      if (rateCards.has(id)) addCell(cells, id, { dimensions: {}, label, unitPrice, quantity: new Dec(quantity), cost: new Dec(cost) });
    }
    const budget = terms?.plan.autoPauseAtBudget ? terms.plan.monthlyBudget : null;
    return {
      currency: row.currency,
      period,
      terms,
      aggregates: aggregatesFrom(row.totals),
      budgetPaused: budget !== null && new Dec(row.period_cost ?? 0).greaterThanOrEqualTo(budget),
      cells,
    };
  }

  private async assemble(inputs: ReportInputs, rollupFilter: RollupFilter): Promise<UsageReport> {
    const { currency, period, terms, aggregates, budgetPaused, cells } = inputs;
    const decimals = minorUnits(currency);
    const metricIds = new Set<string>([...(terms?.charges.keys() ?? []), ...aggregates.keys()]);
    if (rollupFilter.metricId) for (const id of [...metricIds]) if (id !== rollupFilter.metricId) metricIds.delete(id);
    const billed = await this.billedCosts(aggregates, terms?.charges ?? new Map(), cells, decimals);
    const metrics: MetricUsage[] = [];
    for (const id of metricIds) {
      const metric = await this.catalog.metricById(id);
      if (!metric) continue;
      const charge = terms?.charges.get(id);
      const used = aggregates.get(id)?.quantity ?? ZERO;
      const limit = charge?.limit ?? null;
      const percentage = limit !== null && new Dec(limit).greaterThan(0) ? Number(used.div(limit).times(100).toDecimalPlaces(4)) : null;
      metrics.push({
        metric: metric.code,
        unit: metric.unit,
        used: used.toFixed(),
        included: charge?.included ?? null,
        limit,
        remaining: limit === null ? null : Dec.max(ZERO, new Dec(limit).minus(used)).toFixed(),
        percentage,
        cost: Money.of(billed.get(metric.code) ?? roundMoney(0, decimals), currency),
        nearLimit: percentage !== null && percentage >= NEAR_LIMIT_PERCENT,
        blocked: budgetPaused || (charge?.hardLimit === true && limit !== null && used.greaterThanOrEqualTo(limit)),
      });
    }
    metrics.sort((a, b) => a.metric.localeCompare(b.metric));
    const total = metrics.reduce((sum, m) => sum.plus(m.cost.amount), ZERO);
    return { periodStart: period.start, periodEnd: period.end, metrics, totalCost: Money.rounded(total, currency) };
  }

  async series(
    principal: Principal,
    organizationIdInput: string,
    metricCode: string,
    granularity: Granularity,
    periodInput?: { from: Date; to: Date } | null,
    filter?: UsageFilterInput | null,
  ): Promise<UsageSeries> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    const context = await this.context(organizationId);
    const period = this.resolvePeriod(context, periodInput);
    const f = await this.resolveFilter({ ...filter, metric: metricCode });
    const metric = (await this.catalog.metricById(f.metricId!))!;
    const values = filterValues(organizationId, period, f);

    let rows: SeriesPointRow[];
    if (granularity === Granularity.MINUTE) {
      if (period.end.getTime() - period.start.getTime() > DAY) {
        throw new UsageError(UsageErrorReason.INVALID_PERIOD, 'MINUTE series cover at most 24 hours');
      }
      const quantity =
        metric.aggregation === Aggregation.MAX
          ? 'max(quantity)'
          : metric.aggregation === Aggregation.LATEST
            ? '(array_agg(quantity ORDER BY occurred_at DESC))[1]'
            : 'sum(delta)';
      const statement = namedStatement(
        FILTER_PARAMETERS,
        (p) => `SELECT date_trunc('minute', occurred_at) AS at, ${quantity} AS quantity, sum(cost) AS cost
                  FROM usage_events e WHERE e.occurred_at >= ${p.from} AND e.occurred_at < ${p.to} AND ${filterClause('e', p)}
                 GROUP BY 1 ORDER BY 1`,
      );
      rows = await this.db.query<SeriesPointRow[]>(statement.text, statement.values(values));
    } else {
      const unit = granularity === Granularity.HOUR ? 'hour' : 'day';
      const statement = namedStatement(
        FILTER_PARAMETERS,
        (
          p,
        ) => `SELECT date_trunc('${unit}', r.bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, ${ROLLUP_QUANTITY} AS quantity, sum(r.cost) AS cost
                  FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
                 WHERE r.bucket_start >= ${p.from} AND r.bucket_start < ${p.to} AND ${filterClause('r', p)}
                 GROUP BY 1, m.aggregation ORDER BY 1`,
      );
      rows = await this.db.query<SeriesPointRow[]>(statement.text, statement.values(values));
    }
    const points: UsagePoint[] = rows.map((r) => ({
      at: r.at,
      quantity: new Dec(r.quantity ?? 0).toFixed(),
      cost: new Dec(r.cost ?? 0).toFixed(),
    }));
    return { metric: metric.code, granularity, points };
  }

  private async context(organizationId: string): Promise<QueryContext> {
    const rows = await this.db.query<QueryContextRow[]>(CONTEXT.text, CONTEXT.values({ org: organizationId }));
    const row = rows[0];
    if (!row) throw organizationNotFound(organizationId);
    return { currency: row.currency, now: row.now, subscription: row.plan_id ? { planId: row.plan_id } : null };
  }

  /** The period a read covers: the one given (whole hours), or the organisation's current month. */
  async periodFor(organizationId: string, input?: { from: Date; to: Date } | null): Promise<Period> {
    return this.resolvePeriod(await this.context(organizationId), input);
  }

  private resolvePeriod(context: QueryContext, input?: { from: Date; to: Date } | null): Period {
    // Periods are calendar months in UTC; the current one follows the organisation's clock.
    if (!input) return monthPeriod(context.now);
    const { from, to } = input;
    if (!(from < to)) throw new UsageError(UsageErrorReason.INVALID_PERIOD, 'period.from must be before period.to');
    if (from.getTime() % HOUR !== 0 || to.getTime() % HOUR !== 0) {
      throw new UsageError(UsageErrorReason.INVALID_PERIOD, 'period bounds must be whole hours (UTC)');
    }
    if (to.getTime() - from.getTime() > 400 * DAY) throw new UsageError(UsageErrorReason.INVALID_PERIOD, 'period covers at most 400 days');
    return { start: from, end: to };
  }

  private async resolveFilter(filter?: UsageFilterInput | null): Promise<RollupFilter> {
    if (!filter) return {};
    let metricId: string | undefined;
    if (filter.metric) {
      const metric = (await this.catalog.metricsFor([filter.metric])).get(filter.metric);
      if (!metric) throw new UsageError(UsageErrorReason.UNKNOWN_METRIC, `No metric has the code "${filter.metric}"`);
      metricId = metric.id;
    }
    const dims = filter.dimensions;
    if (dims !== undefined && dims !== null && (typeof dims !== 'object' || Array.isArray(dims))) {
      throw new UsageError(UsageErrorReason.INVALID_FILTER, 'filter.dimensions must be a JSON object');
    }
    return {
      team: filter.team,
      project: filter.project,
      user: filter.user,
      metricId,
      dimensions: dims && Object.keys(dims).length ? (dims as Record<string, unknown>) : undefined,
    };
  }

  private async fromTotals(organizationId: string, period: Period, metricId?: string): Promise<Map<string, MetricAggregate>> {
    const rows = await this.db.query<MetricAggregateRow[]>(
      TOTALS.text,
      TOTALS.values({ org: organizationId, from: period.start, to: period.end, metric: metricId ?? null }),
    );
    return aggregatesFrom(rows.map((r) => [r.metric_id, r.quantity, r.cost]));
  }

  private async fromRollups(organizationId: string, period: Period, f: RollupFilter): Promise<Map<string, MetricAggregate>> {
    const rows = await this.db.query<MetricAggregateRow[]>(
      ROLLUP_AGGREGATES.text,
      ROLLUP_AGGREGATES.values(filterValues(organizationId, period, f)),
    );
    return aggregatesFrom(rows.map((r) => [r.metric_id, r.quantity, r.cost]));
  }

  /**
   * Each metric's cost as its invoice lines will show it: rounded once per
   * line, rate-card metrics one line per price, so that reports, breakdowns
   * and invoices agree to the cent.
   */
  private async rateCells(
    organizationId: string,
    period: Period,
    filter: RollupFilter,
    charges: ReadonlyMap<string, ChargeRule>,
  ): Promise<Map<string, RateCell[]>> {
    const rateCardIds = [...rateCardMetrics(charges, filter.metricId)];
    const cells = new Map<string, RateCell[]>();
    if (rateCardIds.length && isWholeMonths(period) && isUnfiltered(filter)) {
      // Whole months, unfiltered: the per-price totals kept at ingest, a few rows however many events.
      const rows = await this.db.query<PriceTotalRow[]>(
        RATE_CARD_PRICE_TOTALS.text,
        RATE_CARD_PRICE_TOTALS.values({
          org: organizationId,
          from: period.start.toISOString(),
          to: period.end.toISOString(),
          metricIds: rateCardIds,
        }),
      );
      for (const r of rows)
        addCell(cells, r.metric_id, {
          dimensions: {},
          label: r.label,
          unitPrice: r.unit_price,
          quantity: new Dec(r.quantity),
          cost: new Dec(r.cost),
        });
    } else if (rateCardIds.length) {
      const rows = await this.db.query<DimensionCellRow[]>(
        RATE_CARD_CELLS.text,
        RATE_CARD_CELLS.values({ ...filterValues(organizationId, period, filter), metricIds: rateCardIds }),
      );
      for (const r of rows) addCell(cells, r.metric_id, { dimensions: r.dimensions, quantity: new Dec(r.quantity), cost: new Dec(r.cost) });
    }
    return cells;
  }

  /** Each metric's cost by metric code, as its invoice lines will bill it. */
  private async billedCosts(
    aggregates: Map<string, MetricAggregate>,
    charges: ReadonlyMap<string, ChargeRule>,
    cells: Map<string, RateCell[]>,
    decimals: number,
  ): Promise<Map<string, string>> {
    const metrics = await this.catalog.metricMap();
    const lines = usageLines(
      [...aggregates.values()].map((a) => ({ metricId: a.metricId, quantity: a.quantity, cost: a.cost })),
      charges,
      metrics,
      cells,
    );
    return billedByMetric(lines, decimals);
  }

  private async budgetPaused(
    organizationId: string,
    plan: { monthlyBudget: string | null; autoPauseAtBudget: boolean } | undefined,
    current: Period,
  ): Promise<boolean> {
    if (!plan?.autoPauseAtBudget || plan.monthlyBudget === null) return false;
    const rows = await this.db.query<PeriodCostRow[]>(
      PERIOD_COST.text,
      PERIOD_COST.values({ org: organizationId, periodStart: current.start }),
    );
    return new Dec(rows[0]?.cost ?? 0).greaterThanOrEqualTo(plan.monthlyBudget);
  }
}

function isWholeMonths(period: Period): boolean {
  const start = monthPeriod(period.start).start;
  const end = monthPeriod(new Date(period.end.getTime() - 1)).end;
  return start.getTime() === period.start.getTime() && end.getTime() === period.end.getTime();
}
