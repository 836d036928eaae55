import type { DataSource } from 'typeorm';
import { preparedQuery } from '../../common/database/pg-driver';
import { organizationNotFound } from '../../common/errors/common-error';
import { Dec } from '../../common/money/decimal';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import type { ChargeRule } from '../rating/charge-rule';
import { hasRateCard } from '../rating/price-calculator';
import type { PlanTerms, RatingCatalog } from '../rating/rating-catalog';
import type { RateCell } from '../rating/usage-lines';
import { isUnfiltered, isWholeMonths } from './usage-read-scope';
import {
  CURRENT_MONTH,
  filterValues,
  PERIOD_COST,
  RATE_CARD_CELLS,
  RATE_CARD_PRICE_TOTALS,
  ROLLUP_AGGREGATES,
  TOTALS,
  type CurrentMonthRow,
  type DimensionCellRow,
  type MetricAggregateRow,
  type PeriodCostRow,
  type PriceTotalRow,
  type RollupFilter,
} from './usage-statements';

export interface MetricAggregate {
  metricId: string;
  quantity: Dec;
  cost: Dec;
}

/** What a report is made of, however it was read. */
export interface ReportInputs {
  currency: string;
  period: Period;
  terms: PlanTerms | null;
  aggregates: Map<string, MetricAggregate>;
  budgetPaused: boolean;
  cells: Map<string, RateCell[]>;
}

/** Rows of (metric, quantity, cost) as aggregates by metric; an empty aggregate reads as zero. */
function aggregatesFrom(rows: Array<[metricId: string, quantity: string | null, cost: string | null]>): Map<string, MetricAggregate> {
  return new Map(
    rows.map(([metricId, quantity, cost]) => [metricId, { metricId, quantity: new Dec(quantity ?? 0), cost: new Dec(cost ?? 0) }]),
  );
}

/** Adds a rate-card cell to its metric's list. */
function addCell(cells: Map<string, RateCell[]>, metricId: string, cell: RateCell): void {
  const list = cells.get(metricId);
  if (list) list.push(cell);
  else cells.set(metricId, [cell]);
}

/** A rate-card price's totals as ingest keeps them (over all dimension sets): the cell of its invoice line. */
function priceCell(label: string, unitPrice: string | null, quantity: string, cost: string): RateCell {
  return { dimensions: {}, label, unitPrice, quantity: new Dec(quantity), cost: new Dec(cost) };
}

/** Metrics of the plan priced by a rate card (only `metricId`, when given). */
function rateCardMetrics(charges: ReadonlyMap<string, ChargeRule>, metricId: string | undefined): Set<string> {
  return new Set([...charges].filter(([id, charge]) => hasRateCard(charge) && (!metricId || metricId === id)).map(([id]) => id));
}

/** Reads of the stored usage figures a report is made of. */
export class UsageReportStore {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
  ) {}

  /**
   * The default report (current month, no filter but an optional metric) in
   * one statement: the organisation, its plan, the month's totals and per-price
   * totals and the month's cost for the budget. Dashboards and the live hub
   * ask for it far more than for anything else.
   */
  async currentMonth(organizationId: string, metricId: string | undefined): Promise<ReportInputs> {
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
      if (rateCards.has(id)) addCell(cells, id, priceCell(label, unitPrice, quantity, cost));
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

  /** Each metric's quantity and cost over whole months, from usage_totals. */
  fromTotals(organizationId: string, period: Period, metricId?: string): Promise<Map<string, MetricAggregate>> {
    return this.aggregates(
      TOTALS.text,
      TOTALS.values({ org: organizationId, from: period.start, to: period.end, metric: metricId ?? null }),
    );
  }

  /** Each metric's quantity and cost over any whole hours and filter, from the hourly rollups. */
  fromRollups(organizationId: string, period: Period, f: RollupFilter): Promise<Map<string, MetricAggregate>> {
    return this.aggregates(ROLLUP_AGGREGATES.text, ROLLUP_AGGREGATES.values(filterValues(organizationId, period, f)));
  }

  private async aggregates(text: string, values: unknown[]): Promise<Map<string, MetricAggregate>> {
    const rows = await this.db.query<MetricAggregateRow[]>(text, values);
    return aggregatesFrom(rows.map((r) => [r.metric_id, r.quantity, r.cost]));
  }

  /**
   * Each metric's cost as its invoice lines will show it: rounded once per
   * line, rate-card metrics one line per price, so that reports, breakdowns
   * and invoices agree to the cent.
   */
  async rateCells(
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
      for (const r of rows) addCell(cells, r.metric_id, priceCell(r.label, r.unit_price, r.quantity, r.cost));
    } else if (rateCardIds.length) {
      const rows = await this.db.query<DimensionCellRow[]>(
        RATE_CARD_CELLS.text,
        RATE_CARD_CELLS.values({ ...filterValues(organizationId, period, filter), metricIds: rateCardIds }),
      );
      for (const r of rows) addCell(cells, r.metric_id, { dimensions: r.dimensions, quantity: new Dec(r.quantity), cost: new Dec(r.cost) });
    }
    return cells;
  }

  /** Whether the month's cost has reached a budget at which the plan pauses usage. */
  async budgetPaused(
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
