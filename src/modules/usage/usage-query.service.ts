import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney, ZERO } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import type { ChargeRule } from '../rating/charge-rule';
import type { RatingCatalog } from '../rating/rating-catalog';
import { billedByMetric, usageLines, type RateCell } from '../rating/usage-lines';
import type { Granularity, MetricUsage, UsageFilterInput, UsageReport, UsageSeries } from './dto/usage.types';
import { isUnfiltered, isWholeMonths, readContext, resolveFilter, resolvePeriod } from './usage-read-scope';
import { UsageReportStore, type MetricAggregate, type ReportInputs } from './usage-report.store';
import { UsageSeriesService } from './usage-series.service';
import type { RollupFilter } from './usage-statements';

const NEAR_LIMIT_PERCENT = 80;

/**
 * Reads of usage. Unfiltered whole-month reads come from usage_totals (one row
 * per metric); filtered or partial-month reads from the hourly rollups. Neither
 * touches raw events, so they cost the same at any number of events; only
 * minute series read raw events, over at most a day.
 */
export class UsageQueryService {
  private readonly store: UsageReportStore;
  private readonly seriesService: UsageSeriesService;

  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
  ) {
    this.store = new UsageReportStore(db, catalog);
    this.seriesService = new UsageSeriesService(db, catalog);
  }

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
    const rollupFilter = await resolveFilter(this.catalog, filter);
    const unfiltered = isUnfiltered(rollupFilter);
    if (!periodInput && unfiltered)
      return this.assemble(await this.store.currentMonth(organizationId, rollupFilter.metricId), rollupFilter);

    const context = await readContext(this.db, organizationId);
    const period = resolvePeriod(context, periodInput);
    const monthly = isWholeMonths(period) && unfiltered;
    const terms = context.subscription ? await this.catalog.planTerms(context.subscription.planId) : null;
    // Independent reads, on separate pooled connections.
    const [aggregates, budgetPaused, cells] = await Promise.all([
      monthly
        ? this.store.fromTotals(organizationId, period, rollupFilter.metricId)
        : this.store.fromRollups(organizationId, period, rollupFilter),
      this.store.budgetPaused(organizationId, terms?.plan, monthPeriod(context.now)),
      this.store.rateCells(organizationId, period, rollupFilter, terms?.charges ?? new Map()),
    ]);
    return this.assemble({ currency: context.currency, period, terms, aggregates, budgetPaused, cells }, rollupFilter);
  }

  /** One metric's usage over time (see UsageSeriesService). */
  series(
    principal: Principal,
    organizationId: string,
    metricCode: string,
    granularity: Granularity,
    period?: { from: Date; to: Date } | null,
    filter?: UsageFilterInput | null,
  ): Promise<UsageSeries> {
    return this.seriesService.series(principal, organizationId, metricCode, granularity, period, filter);
  }

  /** The period a read covers: the one given (whole hours), or the organisation's current month. */
  async periodFor(organizationId: string, input?: { from: Date; to: Date } | null): Promise<Period> {
    return resolvePeriod(await readContext(this.db, organizationId), input);
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
        unlimited: charge !== undefined && limit === null,
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

  /** Each metric's cost by metric code, as its invoice lines will bill it. */
  private async billedCosts(
    aggregates: Map<string, MetricAggregate>,
    charges: ReadonlyMap<string, ChargeRule>,
    cells: Map<string, RateCell[]>,
    decimals: number,
  ): Promise<Map<string, string>> {
    const metrics = await this.catalog.metricsWithIds([...aggregates.keys(), ...charges.keys()]);
    const lines = usageLines(
      [...aggregates.values()].map((a) => ({ metricId: a.metricId, quantity: a.quantity, cost: a.cost })),
      charges,
      metrics,
      cells,
    );
    return billedByMetric(lines, decimals);
  }
}
