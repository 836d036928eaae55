import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { Dec } from '../../common/money/decimal';
import type { RatingCatalog } from '../rating/rating-catalog';
import { Granularity, type UsagePoint, type UsageFilterInput, type UsageSeries } from './dto/usage.types';
import { DAY, readContext, resolveFilter, resolvePeriod } from './usage-read-scope';
import { filterValues, minuteSeries, rollupSeries, type SeriesPointRow } from './usage-statements';
import { UsageError, UsageErrorReason } from './usage.error';

/** One metric's usage over time: by hour or day from the rollups, by minute (a day at most) from raw events. */
export class UsageSeriesService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
  ) {}

  async series(
    principal: Principal,
    organizationIdInput: string,
    metricCode: string,
    granularity: Granularity,
    periodInput?: { from: Date; to: Date } | null,
    filter?: UsageFilterInput | null,
  ): Promise<UsageSeries> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    const period = resolvePeriod(await readContext(this.db, organizationId), periodInput);
    const f = await resolveFilter(this.catalog, { ...filter, metric: metricCode });
    const metric = (await this.catalog.metricById(f.metricId!))!;
    if (granularity === Granularity.MINUTE && period.end.getTime() - period.start.getTime() > DAY) {
      throw new UsageError(UsageErrorReason.INVALID_PERIOD, 'MINUTE series cover at most 24 hours');
    }
    const statement =
      granularity === Granularity.MINUTE
        ? minuteSeries(metric.aggregation)
        : rollupSeries(granularity === Granularity.HOUR ? 'hour' : 'day');
    const rows = await this.db.query<SeriesPointRow[]>(statement.text, statement.values(filterValues(organizationId, period, f)));
    const points: UsagePoint[] = rows.map((r) => ({
      at: r.at,
      quantity: new Dec(r.quantity ?? 0).toFixed(),
      cost: new Dec(r.cost ?? 0).toFixed(),
    }));
    return { metric: metric.code, granularity, points };
  }
}
