import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { assertId, CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { Dec, ZERO } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import { loadBillingContext } from '../usage/billing-context';
import { costOfTotal, hasRateCard } from '../usage/pricing/price-calculator';
import type { UsageCatalog } from '../usage/usage-catalog';
import type { Forecast } from './dto/forecast.types';
import { forecastDaily, type DailyPoint, type ForecastResult } from './forecast-model';

const DAY = 86_400_000;
const HISTORY_DAYS = 91;

export interface DailyHistory {
  cost: DailyPoint[];
  quantity: DailyPoint[];
}

const daysOf = (from: Date, to: Date): Date[] => {
  const days: Date[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY) days.push(new Date(t));
  return days;
};
const startOfDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/**
 * Where the month is heading (seed 004 cost forecasting): a regression on the
 * daily rollups with trend and weekly pattern (forecast-model), projected to
 * the period's end and over the next period, with 80 % and 95 % intervals.
 */
export class ForecastService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: UsageCatalog,
  ) {}

  async forecast(principal: Principal, organizationIdInput: string, metricCode?: string | null): Promise<Forecast> {
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.VIEW_USAGE, organizationId);
    return this.forecastFor(organizationId, metricCode);
  }

  async forecastFor(organizationId: string, metricCode?: string | null): Promise<Forecast> {
    const context = await loadBillingContext(this.db.manager, organizationId);
    if (!context) throw new CommonError(CommonErrorReason.NOT_FOUND, `Organization ${organizationId} does not exist`);
    let metricId: string | null = null;
    if (metricCode) {
      metricId = (await this.catalog.metricsFor([metricCode])).get(metricCode)?.id ?? null;
      if (!metricId) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `No metric has the code "${metricCode}"`);
    }
    const today = startOfDay(context.now);
    const period = monthPeriod(context.now);
    const next = monthPeriod(period.end);
    const history = await this.dailyHistory(organizationId, metricId, new Date(today.getTime() - HISTORY_DAYS * DAY), today);
    const observed = (points: DailyPoint[]) => points.filter((p) => p.day >= period.start).reduce((sum, p) => sum + p.value, 0);
    const rest = daysOf(today, period.end);

    const costNow = forecastDaily(history.cost, rest);
    const costNext = forecastDaily(history.cost, daysOf(next.start, next.end));
    const observedCost = await this.observedCost(organizationId, metricId, period, today);
    const projectedCost = observedCost.plus(new Dec(costNow.total.expected));

    const terms = context.subscription ? await this.catalog.planTerms(context.subscription.planId) : null;
    const currency = context.organization.currency;
    const money = (value: Dec | number) => Money.rounded(Dec.max(ZERO, new Dec(value)), currency);

    let projectedUsage: Dec | null = null;
    let overage = ZERO;
    let anomaliesFrom: ForecastResult = costNow;
    if (metricId) {
      const usageNow = forecastDaily(history.quantity, rest);
      anomaliesFrom = usageNow;
      projectedUsage = new Dec(observed(history.quantity)).plus(usageNow.total.expected);
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
      nextPeriodCost: money(costNext.total.expected),
      low80: money(costNext.total.low80),
      high80: money(costNext.total.high80),
      low95: money(costNext.total.low95),
      high95: money(costNext.total.high95),
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

  /** Complete days of usage from the first day with any, up to (not including) today; missing days are zero. */
  async dailyHistory(organizationId: string, metricId: string | null, from: Date, today: Date): Promise<DailyHistory> {
    const rows: Array<{ day: Date; cost: string; quantity: string }> = await this.db.query(
      `SELECT date_trunc('day', bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, sum(cost) AS cost, sum(quantity) AS quantity
         FROM usage_rollups WHERE organization_id = $1 AND bucket_start >= $2 AND bucket_start < $3 AND ($4::uuid IS NULL OR metric_id = $4)
        GROUP BY 1 ORDER BY 1`,
      [organizationId, from.toISOString(), today.toISOString(), metricId],
    );
    const first = rows[0];
    if (!first) return { cost: [], quantity: [] };
    const byDay = new Map(rows.map((r) => [r.day.getTime(), r]));
    const days = daysOf(first.day, today);
    return {
      cost: days.map((day) => ({ day, value: Number(byDay.get(day.getTime())?.cost ?? 0) })),
      quantity: days.map((day) => ({ day, value: Number(byDay.get(day.getTime())?.quantity ?? 0) })),
    };
  }

  /** Exact cost of the period's complete days (today is forecast whole). */
  private async observedCost(organizationId: string, metricId: string | null, period: Period, today: Date): Promise<Dec> {
    const rows: Array<{ cost: string | null }> = await this.db.query(
      `SELECT sum(cost) AS cost FROM usage_rollups WHERE organization_id = $1 AND bucket_start >= $2 AND bucket_start < $3 AND ($4::uuid IS NULL OR metric_id = $4)`,
      [organizationId, period.start.toISOString(), today.toISOString(), metricId],
    );
    return new Dec(rows[0]?.cost ?? 0);
  }
}
