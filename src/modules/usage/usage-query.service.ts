import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { preparedQuery } from '../../common/database/pg-driver';
import { assertId } from '../../common/errors/common-error';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney, ZERO } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import { Aggregation } from '../metric/aggregation';
import type { ChargeRule } from './ingest/usage-aggregator';
import { hasRateCard, type Dimensions } from './pricing/price-calculator';
import { usageLines, type RateCell } from './pricing/usage-lines';
import {
  Granularity,
  type MetricUsage,
  type UsageFilterInput,
  type UsagePoint,
  type UsageReport,
  type UsageSeries,
} from './dto/usage.types';
import type { PlanTerms, UsageCatalog } from './usage-catalog';
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

/** Filter on $1 organisation, $4 metric, $5 team, $6 project, $7 user, $8 dimensions; `p` is the table alias. */
const filterClause = (p: string) => `${p}.organization_id = $1 AND ($4::uuid IS NULL OR ${p}.metric_id = $4)
  AND ($5::text IS NULL OR ${p}.team = $5) AND ($6::text IS NULL OR ${p}.project = $6) AND ($7::text IS NULL OR ${p}.user_key = $7)
  AND ($8::jsonb IS NULL OR ${p}.dimensions @> $8::jsonb)`;

const filterParams = (organizationId: string, period: Period, f: RollupFilter): unknown[] => [
  organizationId,
  period.start,
  period.end,
  f.metricId ?? null,
  f.team ?? null,
  f.project ?? null,
  f.user ?? null,
  f.dimensions ? JSON.stringify(f.dimensions) : null,
];

/**
 * Each metric's quantity and cost over whole months from usage_totals ($1 is
 * the organisation; `from`, `to` and `metric` are SQL expressions).
 */
const TOTALS_SQL = (from: string, to: string, metric: string) => `SELECT t.metric_id,
       CASE m.aggregation
         WHEN 'MAX' THEN max(t.quantity)
         WHEN 'LATEST' THEN (array_agg(t.latest_quantity ORDER BY t.latest_at DESC NULLS LAST))[1]
         WHEN 'UNIQUE_COUNT' THEN CASE WHEN count(*) = 1 THEN sum(t.quantity) ELSE (
           SELECT count(DISTINCT v.value) FROM usage_unique_values v
            WHERE v.organization_id = $1 AND v.metric_id = t.metric_id AND v.period_start >= ${from} AND v.period_start < ${to}) END
         ELSE sum(t.quantity) END AS quantity,
       sum(t.cost) AS cost
  FROM usage_totals t JOIN metrics m ON m.id = t.metric_id
 WHERE t.organization_id = $1 AND t.period_start >= ${from} AND t.period_start < ${to} AND (${metric}::uuid IS NULL OR t.metric_id = ${metric})
 GROUP BY t.metric_id, m.aggregation`;

/** Rate-card metrics' per-price totals over whole months, kept at ingest: a few rows however many events. */
const PRICE_TOTALS_SQL = (from: string, to: string, metric: string) => `SELECT metric_id, label, min(unit_price) AS unit_price,
       sum(quantity) AS quantity, sum(cost) AS cost
  FROM usage_price_totals
 WHERE organization_id = $1 AND period_start >= ${from} AND period_start < ${to} AND (${metric}::uuid IS NULL OR metric_id = ${metric})
 GROUP BY 1, 2`;

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
    private readonly catalog: UsageCatalog,
  ) {}

  async report(
    principal: Principal,
    organizationIdInput: string,
    period?: { from: Date; to: Date } | null,
    filter?: UsageFilterInput | null,
  ): Promise<UsageReport> {
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.VIEW_USAGE, organizationId);
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
    const rows = await preparedQuery<{
      currency: string;
      test_clock_at: Date | null;
      plan_id: string | null;
      totals: Array<[string, string | null, string | null]>;
      prices: Array<[string, string, string | null, string, string]>;
      period_cost: string | null;
    }>(
      this.db,
      'meterly_usage_current_month',
      `WITH o AS (SELECT id, currency, test_clock_at FROM organizations WHERE id = $1),
            b AS (SELECT start, start + interval '1 month' AS finish
                    FROM (SELECT date_trunc('month', coalesce(o.test_clock_at, $2::timestamptz) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start FROM o) AS s)
       SELECT o.currency, o.test_clock_at, s.plan_id,
              (SELECT coalesce(json_agg(json_build_array(t.metric_id, t.quantity::text, t.cost::text)), '[]')
                 FROM (${TOTALS_SQL('b.start', 'b.finish', '$3')}) AS t) AS totals,
              (SELECT coalesce(json_agg(json_build_array(p.metric_id, p.label, p.unit_price::text, p.quantity::text, p.cost::text)), '[]')
                 FROM (${PRICE_TOTALS_SQL('b.start', 'b.finish', '$3')}) AS p) AS prices,
              (SELECT sum(cost)::text FROM usage_totals WHERE organization_id = $1 AND period_start = b.start) AS period_cost
         FROM o CROSS JOIN b LEFT JOIN plan_subscriptions s ON s.organization_id = o.id`,
      [organizationId, new Date().toISOString(), metricId ?? null],
    );
    const row = rows[0];
    if (!row) throw new UsageError(UsageErrorReason.ORGANIZATION_NOT_FOUND, `Organization ${organizationId} does not exist`);
    const terms = row.plan_id ? await this.catalog.planTerms(row.plan_id) : null;
    const period = monthPeriod(row.test_clock_at ?? new Date());
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
        cost: Money.of(billed.get(id) ?? roundMoney(0, decimals), currency),
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
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.VIEW_USAGE, organizationId);
    const context = await this.context(organizationId);
    const period = this.resolvePeriod(context, periodInput);
    const f = await this.resolveFilter({ ...filter, metric: metricCode });
    const metric = (await this.catalog.metricById(f.metricId!))!;
    const params = filterParams(organizationId, period, f);

    let rows: Array<{ at: Date; quantity: string | null; cost: string | null }>;
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
      rows = await this.db.query(
        `SELECT date_trunc('minute', occurred_at) AS at, ${quantity} AS quantity, sum(cost) AS cost
           FROM usage_events e WHERE e.occurred_at >= $2 AND e.occurred_at < $3 AND ${filterClause('e')}
          GROUP BY 1 ORDER BY 1`,
        params,
      );
    } else {
      const unit = granularity === Granularity.HOUR ? 'hour' : 'day';
      rows = await this.db.query(
        `SELECT date_trunc('${unit}', r.bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, ${ROLLUP_QUANTITY} AS quantity, sum(r.cost) AS cost
           FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
          WHERE r.bucket_start >= $2 AND r.bucket_start < $3 AND ${filterClause('r')}
          GROUP BY 1, m.aggregation ORDER BY 1`,
        params,
      );
    }
    const points: UsagePoint[] = rows.map((r) => ({
      at: r.at,
      quantity: new Dec(r.quantity ?? 0).toFixed(),
      cost: new Dec(r.cost ?? 0).toFixed(),
    }));
    return { metric: metric.code, granularity, points };
  }

  private async context(organizationId: string): Promise<QueryContext> {
    const rows: Array<{ currency: string; test_clock_at: Date | null; plan_id: string | null }> = await this.db.query(
      `SELECT o.currency, o.test_clock_at, s.plan_id FROM organizations o LEFT JOIN plan_subscriptions s ON s.organization_id = o.id WHERE o.id = $1`,
      [organizationId],
    );
    const row = rows[0];
    if (!row) throw new UsageError(UsageErrorReason.ORGANIZATION_NOT_FOUND, `Organization ${organizationId} does not exist`);
    return { currency: row.currency, now: row.test_clock_at ?? new Date(), subscription: row.plan_id ? { planId: row.plan_id } : null };
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
    const rows: Array<{ metric_id: string; quantity: string | null; cost: string | null }> = await this.db.query(
      TOTALS_SQL('$2', '$3', '$4'),
      [organizationId, period.start, period.end, metricId ?? null],
    );
    return aggregatesFrom(rows.map((r) => [r.metric_id, r.quantity, r.cost]));
  }

  private async fromRollups(organizationId: string, period: Period, f: RollupFilter): Promise<Map<string, MetricAggregate>> {
    const rows: Array<{ metric_id: string; quantity: string | null; cost: string | null }> = await this.db.query(
      `SELECT r.metric_id, ${ROLLUP_QUANTITY} AS quantity, sum(r.cost) AS cost
         FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
        WHERE r.bucket_start >= $2 AND r.bucket_start < $3 AND ${filterClause('r')}
        GROUP BY r.metric_id, m.aggregation`,
      filterParams(organizationId, period, f),
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
      const rows: Array<{ metric_id: string; label: string; unit_price: string | null; quantity: string; cost: string }> =
        await this.db.query(`SELECT * FROM (${PRICE_TOTALS_SQL('$2', '$3', 'NULL')}) AS p WHERE metric_id = ANY($4::uuid[])`, [
          organizationId,
          period.start.toISOString(),
          period.end.toISOString(),
          rateCardIds,
        ]);
      for (const r of rows)
        addCell(cells, r.metric_id, {
          dimensions: {},
          label: r.label,
          unitPrice: r.unit_price,
          quantity: new Dec(r.quantity),
          cost: new Dec(r.cost),
        });
    } else if (rateCardIds.length) {
      const rows: Array<{ metric_id: string; dimensions: Dimensions; quantity: string; cost: string }> = await this.db.query(
        `SELECT r.metric_id, r.dimensions, sum(r.quantity) AS quantity, sum(r.cost) AS cost FROM usage_rollups r
          WHERE r.bucket_start >= $2 AND r.bucket_start < $3 AND ${filterClause('r')} AND r.metric_id = ANY($9::uuid[])
          GROUP BY r.metric_id, r.dimensions`,
        [...filterParams(organizationId, period, filter), rateCardIds],
      );
      for (const r of rows) addCell(cells, r.metric_id, { dimensions: r.dimensions, quantity: new Dec(r.quantity), cost: new Dec(r.cost) });
    }
    return cells;
  }

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
    const byMetric = new Map<string, Dec>();
    const idByCode = new Map([...metrics.values()].map((m) => [m.code, m.id]));
    for (const line of lines) {
      const id = idByCode.get(line.metric)!;
      byMetric.set(id, (byMetric.get(id) ?? ZERO).plus(roundMoney(line.cost, decimals)));
    }
    return new Map([...byMetric].map(([id, cost]) => [id, cost.toFixed(decimals)]));
  }

  private async budgetPaused(
    organizationId: string,
    plan: { monthlyBudget: string | null; autoPauseAtBudget: boolean } | undefined,
    current: Period,
  ): Promise<boolean> {
    if (!plan?.autoPauseAtBudget || plan.monthlyBudget === null) return false;
    const rows: Array<{ cost: string | null }> = await this.db.query(
      'SELECT sum(cost) AS cost FROM usage_totals WHERE organization_id = $1 AND period_start = $2',
      [organizationId, current.start],
    );
    return new Dec(rows[0]?.cost ?? 0).greaterThanOrEqualTo(plan.monthlyBudget);
  }
}

function isWholeMonths(period: Period): boolean {
  const start = monthPeriod(period.start).start;
  const end = monthPeriod(new Date(period.end.getTime() - 1)).end;
  return start.getTime() === period.start.getTime() && end.getTime() === period.end.getTime();
}
