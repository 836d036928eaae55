import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { namedStatement } from '../../common/database/pg-array';
import { minorUnits } from '../../common/money/currency';
import { Dec, ZERO } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import { priceMonth } from '../cost/month-estimate';
import { isLevel, type Aggregation } from '../metric/aggregation';
import { availablePlans } from '../plan/plan-availability';
import { Plan } from '../plan/plan.entity';
import { loadBillingContext } from './billing-context';
import { hasRateCard, type Dimensions } from '../rating/price-calculator';
import type { PlanTerms, RatingCatalog } from '../rating/rating-catalog';
import type { PlannedUsage } from '../rating/usage-pricing';
import type { CheaperAlternative, PlanOption, PlanRecommendation } from './dto/recommendation.types';
import type { ForecastService } from './forecast.service';

/** Aggregations whose usage adds up over days and dimension sets: not a level (see isLevel). */
const isAdditive = (aggregation: Aggregation) => !isLevel(aggregation);

interface UsageSnapshot {
  metricId: string;
  quantity: Dec;
  cells: Array<{ dimensions: Dimensions; quantity: Dec }>;
}

interface PeriodTotalRow {
  metric_id: string;
  quantity: string;
  aggregation: Aggregation;
}

interface DimensionCellRow {
  metric_id: string;
  dimensions: Dimensions;
  quantity: string;
}

const PERIOD_TOTALS = namedStatement(
  ['organizationId', 'periodStart'],
  (p) => `SELECT t.metric_id, t.quantity, m.aggregation FROM usage_totals t JOIN metrics m ON m.id = t.metric_id
           WHERE t.organization_id = ${p.organizationId} AND t.period_start = ${p.periodStart}`,
);

/** Each metric's quantity per dimension set over [from, to); events without dimensions are left out. */
const DIMENSION_CELLS = namedStatement(
  ['organizationId', 'from', 'to'],
  (p) => `SELECT metric_id, dimensions, sum(quantity) AS quantity FROM usage_rollups
           WHERE organization_id = ${p.organizationId} AND bucket_start >= ${p.from} AND bucket_start < ${p.to} AND dimensions <> '{}'::jsonb
           GROUP BY metric_id, dimensions`,
);

/**
 * How to pay less: the organisation's usage priced under
 * every plan — for the last period and for the forecast of this one — the
 * cheapest that fits, advice to downgrade or upgrade, and cheaper rate-card prices.
 */
export class RecommendationService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
    private readonly forecasts: ForecastService,
  ) {}

  async recommend(principal: Principal, organizationIdInput: string): Promise<PlanRecommendation> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    const context = await loadBillingContext(this.db.manager, organizationId);
    if (!context.subscription) throw new CommonError(CommonErrorReason.NOT_FOUND, `Organization ${organizationId} has no subscription`);
    const current = monthPeriod(context.now);
    const last = monthPeriod(new Date(current.start.getTime() - 1));
    const lastUsage = await this.snapshot(organizationId, last);
    const currentUsage = await this.snapshot(organizationId, current);
    const basis = lastUsage.length ? 'last period' : 'current period to date';
    const basisUsage = lastUsage.length ? lastUsage : currentUsage;
    const metrics = new Map((await this.catalog.allMetrics()).map((m) => [m.id, m]));
    const forecastUsage = currentUsage.length ? await this.projected(organizationId, currentUsage, metrics, context.now) : basisUsage;

    const currency = context.organization.currency;
    const decimals = minorUnits(currency);
    const plans = await this.db.getRepository(Plan).find({
      where: availablePlans(organizationId).map((where) => ({ ...where, currency })),
      order: { code: 'ASC' },
    });
    const options: PlanOption[] = [];
    for (const plan of plans) {
      const terms = await this.catalog.planTerms(plan.id);
      const priced = this.price(basisUsage, terms, metrics, decimals);
      const forecast = this.price(forecastUsage, terms, metrics, decimals);
      options.push({
        plan,
        cost: Money.of(priced.total, currency),
        forecastCost: Money.of(forecast.total, currency),
        fits: priced.warnings.length === 0 && forecast.warnings.length === 0,
        warnings: [...new Set([...priced.warnings, ...forecast.warnings])],
      });
    }
    options.sort(
      (a, b) =>
        Number(b.fits) - Number(a.fits) ||
        new Dec(a.forecastCost.amount).comparedTo(b.forecastCost.amount) ||
        a.plan.code.localeCompare(b.plan.code),
    );
    const mine = options.find((o) => o.plan.id === context.subscription!.planId)!;
    const cheapest = options.find((o) => o.fits) ?? mine;
    const saving = Dec.max(ZERO, new Dec(mine.forecastCost.amount).minus(cheapest.forecastCost.amount));
    const terms = await this.catalog.planTerms(mine.plan.id);
    return {
      currentPlan: mine.plan,
      basis,
      options,
      cheapestPlan: cheapest.plan,
      saving: Money.of(saving.toFixed(decimals), currency),
      advice: this.advice(mine, cheapest, options, basisUsage, terms, metrics, saving, decimals),
      alternatives: this.alternatives(basisUsage, terms, metrics, currency),
    };
  }

  private price(
    usage: UsageSnapshot[],
    terms: PlanTerms,
    metrics: Map<string, { id: string; code: string; name: string; unit: string; aggregation: Aggregation }>,
    decimals: number,
  ) {
    const planned: PlannedUsage[] = usage.flatMap((u) =>
      u.cells.length
        ? u.cells.map((c) => ({ metricId: u.metricId, quantity: c.quantity, dimensions: c.dimensions }))
        : [{ metricId: u.metricId, quantity: u.quantity, dimensions: {} }],
    );
    const { draft, warnings } = priceMonth(terms, planned, metrics, decimals);
    for (const u of usage) {
      const charge = terms.charges.get(u.metricId);
      const code = metrics.get(u.metricId)?.code ?? u.metricId;
      // A plan that does not charge a metric in use does not offer it at all.
      if (!charge && u.quantity.greaterThan(0)) warnings.push(`${terms.plan.name} does not include ${code}`);
      // Usage that reached a hard limit exactly is usage the limit is refusing now: that plan blocks it too.
      if (charge?.hardLimit && charge.limit !== null && u.quantity.greaterThan(0) && u.quantity.equals(charge.limit))
        warnings.push(`${code} is at ${terms.plan.name}'s hard limit of ${charge.limit}; more would be refused`);
    }
    return { total: draft.total, warnings };
  }

  private advice(
    mine: PlanOption,
    cheapest: PlanOption,
    options: PlanOption[],
    usage: UsageSnapshot[],
    terms: PlanTerms,
    metrics: Map<string, { code: string }>,
    saving: Dec,
    decimals: number,
  ): string[] {
    const advice: string[] = [];
    const money = (o: PlanOption) => `${o.forecastCost.amount} ${o.forecastCost.currency}`;
    const shares = [...terms.charges]
      .filter(([, c]) => c.limit !== null && new Dec(c.limit).greaterThan(0))
      .map(([id, c]) => ({
        code: metrics.get(id)?.code ?? id,
        share: (usage.find((u) => u.metricId === id)?.quantity ?? ZERO).div(c.limit!),
      }));
    const dearerBase = (o: PlanOption) => new Dec(o.plan.basePriceAmount).greaterThan(mine.plan.basePriceAmount);
    if (cheapest.plan.id === mine.plan.id && mine.fits) advice.push(`${mine.plan.name} is already the cheapest plan for this usage.`);
    if (shares.length && shares.every((s) => s.share.lessThan(0.5))) {
      const most = shares.reduce((a, b) => (b.share.greaterThan(a.share) ? b : a));
      const lower = options.find(
        (o) => o.fits && !dearerBase(o) && o.plan.id !== mine.plan.id && new Dec(o.forecastCost.amount).lessThan(mine.forecastCost.amount),
      );
      advice.push(
        `You use less than 50% of ${mine.plan.name}'s limits (at most ${most.share.times(100).toDecimalPlaces(1).toFixed()}% of ${most.code}).` +
          (lower ? ` Consider downgrading: ${lower.plan.name} would cost ${money(lower)} instead of ${money(mine)}.` : ''),
      );
    }
    const upgrade = options.find((o) => o.fits && dearerBase(o) && new Dec(o.forecastCost.amount).lessThan(mine.forecastCost.amount));
    if (upgrade)
      advice.push(`Your overage costs more than ${upgrade.plan.name}: upgrading would cost ${money(upgrade)} instead of ${money(mine)}.`);
    if (!mine.fits) {
      advice.push(`${mine.plan.name}'s hard limits refuse part of your usage: ${mine.warnings.join('; ')}.`);
      if (cheapest.fits && !upgrade) advice.push(`${cheapest.plan.name} is the cheapest plan that takes all of it: ${money(cheapest)}.`);
    } else if (cheapest.plan.id !== mine.plan.id && !upgrade)
      advice.push(`${cheapest.plan.name} would save ${saving.toFixed(decimals)} ${mine.forecastCost.currency} on the forecast period.`);
    return advice;
  }

  /** "Switch model X to Y saves N": usage at a rate-card price above the card's cheapest entry. */
  private alternatives(
    usage: UsageSnapshot[],
    terms: PlanTerms,
    metrics: Map<string, { code: string }>,
    currency: string,
  ): CheaperAlternative[] {
    const result: CheaperAlternative[] = [];
    for (const u of usage) {
      const charge = terms.charges.get(u.metricId);
      if (!charge || !hasRateCard(charge)) continue;
      const entries = (charge.dimensionPrices ?? []).filter((e) => Object.keys(e.dimensions).length === 1);
      const cheapest = entries.reduce<(typeof entries)[number] | undefined>(
        (best, e) => (!best || new Dec(e.unitPrice).lessThan(best.unitPrice) ? e : best),
        undefined,
      );
      if (!cheapest) continue;
      const [dimension, to] = Object.entries(cheapest.dimensions)[0]!;
      const byValue = new Map<string, Dec>();
      for (const cell of u.cells) {
        const value = cell.dimensions[dimension];
        if (value !== undefined) byValue.set(String(value), (byValue.get(String(value)) ?? ZERO).plus(cell.quantity));
      }
      for (const [from, quantity] of byValue) {
        const entry = entries.find((e) => e.dimensions[dimension] === from);
        if (!entry || from === to) continue;
        const perUnit = new Dec(entry.unitPrice).minus(cheapest.unitPrice);
        const saving = quantity.times(perUnit);
        if (!saving.greaterThan(0)) continue;
        result.push({
          metric: metrics.get(u.metricId)?.code ?? u.metricId,
          dimension,
          from,
          to,
          saving: Money.rounded(saving, currency),
          savingShare: Number(perUnit.div(entry.unitPrice).toDecimalPlaces(4)),
        });
      }
    }
    return result.sort((a, b) => new Dec(b.saving.amount).comparedTo(a.saving.amount));
  }

  /** A period's usage per metric, with rate-card cells (dimension sets) for additive metrics. */
  private async snapshot(organizationId: string, period: Period): Promise<UsageSnapshot[]> {
    const totals = await this.db.query<PeriodTotalRow[]>(
      PERIOD_TOTALS.text,
      PERIOD_TOTALS.values({ organizationId, periodStart: period.start.toISOString() }),
    );
    const cells = await this.db.query<DimensionCellRow[]>(
      DIMENSION_CELLS.text,
      DIMENSION_CELLS.values({ organizationId, from: period.start.toISOString(), to: period.end.toISOString() }),
    );
    return totals.map((t) => {
      const additive = isAdditive(t.aggregation);
      const own = additive ? cells.filter((c) => c.metric_id === t.metric_id) : [];
      const quantity = new Dec(t.quantity);
      const inCells = own.reduce((sum, c) => sum.plus(c.quantity), ZERO);
      const rest = quantity.minus(inCells);
      return {
        metricId: t.metric_id,
        quantity,
        cells: own.length
          ? [
              ...own.map((c) => ({ dimensions: c.dimensions, quantity: new Dec(c.quantity) })),
              ...(rest.greaterThan(0) ? [{ dimensions: {}, quantity: rest }] : []),
            ]
          : [],
      };
    });
  }

  /** This period's usage scaled to its forecast end, metric by metric, from one history query for all metrics. */
  private async projected(
    organizationId: string,
    usage: UsageSnapshot[],
    metrics: Map<string, { aggregation: Aggregation }>,
    now: Date,
  ): Promise<UsageSnapshot[]> {
    // A level (a peak, a latest value, a daily-peak average) does not add up over days: it stays as it is.
    const additive = usage
      .map((u) => u.metricId)
      .filter((id) => {
        const metric = metrics.get(id);
        return metric !== undefined && isAdditive(metric.aggregation);
      });
    const forecasts = await this.forecasts.projectedUsage(organizationId, additive, now);
    return usage.map((u) => {
      const forecast = forecasts.get(u.metricId);
      const projected = forecast ? Dec.max(u.quantity, forecast) : u.quantity;
      const factor = u.quantity.isZero() ? new Dec(1) : projected.div(u.quantity);
      return {
        metricId: u.metricId,
        quantity: projected,
        cells: u.cells.map((c) => ({ dimensions: c.dimensions, quantity: c.quantity.times(factor) })),
      };
    });
  }
}
