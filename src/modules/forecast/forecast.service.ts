import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { namedStatement } from '../../common/database/pg-array';
import { Dec, ZERO } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import { loadBillingContext } from './billing-context';
import { costOfTotal, hasRateCard } from '../rating/price-calculator';
import type { RatingCatalog } from '../rating/rating-catalog';
import type { Forecast } from './dto/forecast.types';
import { forecastDaily, type DailyPoint, type ForecastResult } from './forecast-model';
import { Aggregation, isLevel } from '../metric/aggregation';

const DAY = 86_400_000;
const HISTORY_DAYS = 91;

interface DailyHistory {
  cost: DailyPoint[];
  quantity: DailyPoint[];
  /** Exact cost of the period's complete days: money that must not go through the floats above. */
  periodCost: Dec;
  /** What today has added so far (cost exact): the projection never falls below what is already spent. */
  todayCost: Dec;
  todayQuantity: number;
}

interface DailyUsageRow {
  /** Null when the history is of all metrics together. */
  metric_id: string | null;
  day: Date;
  cost: string;
  quantity: string;
}

/**
 * Metrics whose quantity so far is already the period's (see HELD_USAGE): levels (a peak, the latest reading, a
 * daily-peak average) stay where they are, as recommendations treat them; their daily changes are not a trend.
 */
const HELD_METRICS = `SELECT id FROM metrics WHERE aggregation IN (${Object.values(Aggregation)
  .filter(isLevel)
  .map((a) => `'${a}'`)
  .join(', ')})`;

/**
 * Usage by UTC day in [from, to): per metric of `metricIds`, or of all metrics under null when it is null; held
 * metrics left out.
 */
const DAILY_USAGE = namedStatement(
  ['organizationId', 'from', 'to', 'metricIds'],
  (p) => `SELECT CASE WHEN ${p.metricIds}::uuid[] IS NOT NULL THEN metric_id END AS metric_id,
                 date_trunc('day', bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, sum(cost) AS cost, sum(quantity) AS quantity
            FROM usage_rollups
           WHERE organization_id = ${p.organizationId} AND bucket_start >= ${p.from} AND bucket_start < ${p.to}
             AND (${p.metricIds}::uuid[] IS NULL OR metric_id = ANY(${p.metricIds}::uuid[])) AND metric_id NOT IN (${HELD_METRICS})
           GROUP BY 1, 2 ORDER BY 1, 2`,
);

/**
 * The period's quantity and cost of its held metrics (of `metricIds`, or all when null): a daily-peak average
 * so far already holds the last reading's level to the period's end, so it is the projection as it stands (its
 * daily costs are changes to that projection, which extrapolating would count again and again).
 */
const HELD_USAGE = namedStatement(
  ['organizationId', 'periodStart', 'metricIds'],
  (p) => `SELECT metric_id, quantity, cost FROM usage_totals
           WHERE organization_id = ${p.organizationId} AND period_start = ${p.periodStart} AND metric_id IN (${HELD_METRICS})
             AND (${p.metricIds}::uuid[] IS NULL OR metric_id = ANY(${p.metricIds}::uuid[]))`,
);

const EMPTY_HISTORY: DailyHistory = { cost: [], quantity: [], periodCost: ZERO, todayCost: ZERO, todayQuantity: 0 };

/** The days a forecast made at `now` reads and projects: history up to today (excluded), and the period today is in. */
interface ForecastWindow {
  from: Date;
  today: Date;
  period: Period;
}

const daysOf = (from: Date, to: Date): Date[] => {
  const days: Date[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY) days.push(new Date(t));
  return days;
};
const startOfDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
const windowAt = (now: Date): ForecastWindow => {
  const today = startOfDay(now);
  return { from: new Date(today.getTime() - HISTORY_DAYS * DAY), today, period: monthPeriod(now) };
};

/**
 * Usage at the period's end: its complete days as observed, the rest (today included) forecast, and never less than
 * what the period holds already, today's usage so far included.
 */
const projectUsage = ({ quantity, todayQuantity }: DailyHistory, { today, period }: ForecastWindow) => {
  const forecast = forecastDaily(quantity, daysOf(today, period.end));
  const observed = quantity.filter((p) => p.day >= period.start).reduce((sum, p) => sum + p.value, 0);
  const projected = new Dec(observed).plus(forecast.total.expected);
  return { forecast, projected: Dec.max(projected, new Dec(observed).plus(todayQuantity)) };
};

/**
 * Where the month is heading (cost forecasting): a regression on the
 * daily rollups with trend and weekly pattern (forecast-model), projected to
 * the period's end and over the next period, with 80 % and 95 % intervals.
 */
export class ForecastService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
  ) {}

  async forecast(principal: Principal, organizationIdInput: string, metricCode?: string | null): Promise<Forecast> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    return this.forecastFor(organizationId, metricCode);
  }

  async forecastFor(organizationId: string, metricCode?: string | null): Promise<Forecast> {
    const context = await loadBillingContext(this.db.manager, organizationId);
    let metricId: string | null = null;
    if (metricCode) {
      metricId = (await this.catalog.metricsFor([metricCode])).get(metricCode)?.id ?? null;
      if (!metricId) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `No metric has the code "${metricCode}"`);
    }
    const window = windowAt(context.now);
    const { today, period } = window;
    const next = monthPeriod(period.end);
    const history = (await this.dailyHistory(organizationId, metricId ? [metricId] : null, window)).get(metricId) ?? EMPTY_HISTORY;
    const held = await this.heldUsage(organizationId, metricId ? [metricId] : null, period);
    const heldCost = [...held.values()].reduce((sum, h) => sum.plus(h.cost), ZERO);

    const costNow = forecastDaily(history.cost, daysOf(today, period.end));
    const costNext = forecastDaily(history.cost, daysOf(next.start, next.end));
    // Today is forecast, not observed: a forecast below what today already cost must not hide it.
    // Held levels persist: this period ends, and the next runs, at about their cost so far.
    const projectedCost = Dec.max(
      history.periodCost.plus(new Dec(costNow.total.expected)),
      history.periodCost.plus(history.todayCost),
    ).plus(heldCost);
    const nextCost = (value: number) => heldCost.plus(value);

    const terms = context.subscription ? await this.catalog.planTerms(context.subscription.planId) : null;
    const currency = context.organization.currency;
    const money = (value: Dec | number) => Money.rounded(Dec.max(ZERO, new Dec(value)), currency);

    let projectedUsage: Dec | null = null;
    let overage = ZERO;
    let anomaliesFrom: ForecastResult = costNow;
    if (metricId) {
      const usageNow = projectUsage(history, window);
      anomaliesFrom = usageNow.forecast;
      projectedUsage = held.get(metricId)?.quantity ?? usageNow.projected;
      const charge = terms?.charges.get(metricId);
      if (charge?.limit && projectedUsage.greaterThan(charge.limit)) {
        overage = hasRateCard(charge)
          ? projectedUsage.minus(charge.limit).times(projectedUsage.isZero() ? 0 : projectedCost.div(projectedUsage))
          : costOfTotal(charge, projectedUsage).minus(costOfTotal(charge, new Dec(charge.limit)));
      }
    } else if (terms?.plan.monthlyBudget) {
      overage = Dec.max(ZERO, projectedCost.minus(terms.plan.monthlyBudget));
    }

    return {
      metric: metricCode ?? null,
      periodEnd: period.end,
      projectedCost: money(projectedCost),
      projectedUsage: projectedUsage?.toDecimalPlaces(6).toFixed() ?? null,
      projectedOverage: money(overage),
      nextPeriodCost: money(nextCost(costNext.total.expected)),
      low80: money(nextCost(costNext.total.low80)),
      high80: money(nextCost(costNext.total.high80)),
      low95: money(nextCost(costNext.total.low95)),
      high95: money(nextCost(costNext.total.high95)),
      growthRate: Number(costNow.growthRate.toFixed(6)),
      anomalies: anomaliesFrom.anomalies.map((a) => ({
        at: a.day,
        value: new Dec(a.value).toDecimalPlaces(6).toFixed(),
        expected: new Dec(a.expected).toDecimalPlaces(6).toFixed(),
        score: Number(a.score.toFixed(3)),
      })),
      sufficientHistory: costNow.sufficientHistory,
      method: costNow.method,
      historyDays: costNow.historyDays,
      baseFee: Money.rounded(terms?.plan.basePriceAmount ?? 0, currency),
    };
  }

  /**
   * Each metric's usage projected to the end of the period containing `now`, to 6 decimals as `forecastFor`
   * reports it, from one history query for all of them.
   */
  async projectedUsage(organizationId: string, metricIds: string[], now: Date): Promise<Map<string, Dec>> {
    const window = windowAt(now);
    const histories = await this.dailyHistory(organizationId, metricIds, window);
    const held = await this.heldUsage(organizationId, metricIds, window.period);
    return new Map(
      metricIds.map((id) => [
        id,
        (held.get(id)?.quantity ?? projectUsage(histories.get(id) ?? EMPTY_HISTORY, window).projected).toDecimalPlaces(6),
      ]),
    );
  }

  /** The period's quantity and cost of each held metric with usage in it (see HELD_USAGE). */
  private async heldUsage(
    organizationId: string,
    metricIds: string[] | null,
    period: Period,
  ): Promise<Map<string, { quantity: Dec; cost: Dec }>> {
    if (metricIds?.length === 0) return new Map();
    const rows = await this.db.query<Array<{ metric_id: string; quantity: string; cost: string }>>(
      HELD_USAGE.text,
      HELD_USAGE.values({ organizationId, periodStart: period.start.toISOString(), metricIds }),
    );
    return new Map(rows.map((r) => [r.metric_id, { quantity: new Dec(r.quantity), cost: new Dec(r.cost) }]));
  }

  /**
   * Complete days of usage from the first day with any, up to (not including) today, and today so far apart, in one
   * grouped query: per metric of `metricIds`, or of all metrics together under null. Missing days are zero; metrics
   * without usage have no entry.
   */
  private async dailyHistory(
    organizationId: string,
    metricIds: string[] | null,
    { from, today, period }: ForecastWindow,
  ): Promise<Map<string | null, DailyHistory>> {
    const histories = new Map<string | null, DailyHistory>();
    if (metricIds?.length === 0) return histories;
    const rows = await this.db.query<DailyUsageRow[]>(
      DAILY_USAGE.text,
      DAILY_USAGE.values({ organizationId, from: from.toISOString(), to: new Date(today.getTime() + DAY).toISOString(), metricIds }),
    );
    const byMetric = new Map<string | null, typeof rows>();
    for (const row of rows) {
      const own = byMetric.get(row.metric_id);
      if (own) own.push(row);
      else byMetric.set(row.metric_id, [row]);
    }
    for (const [metricId, own] of byMetric) {
      const byDay = new Map(own.map((r) => [r.day.getTime(), r]));
      const days = daysOf(own[0]!.day, today);
      const todayRow = byDay.get(today.getTime());
      histories.set(metricId, {
        cost: days.map((day) => ({ day, value: Number(byDay.get(day.getTime())?.cost ?? 0) })),
        quantity: days.map((day) => ({ day, value: Number(byDay.get(day.getTime())?.quantity ?? 0) })),
        periodCost: own.filter((r) => r.day >= period.start && r.day < today).reduce((sum, r) => sum.plus(r.cost), ZERO),
        todayCost: new Dec(todayRow?.cost ?? 0),
        todayQuantity: Number(todayRow?.quantity ?? 0),
      });
    }
    return histories;
  }
}
