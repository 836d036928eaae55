import type { DataSource } from 'typeorm';
import { organizationNotFound } from '../../common/errors/common-error';
import { monthPeriod, type Period } from '../../common/time/billing-period';
import type { RatingCatalog } from '../rating/rating-catalog';
import type { UsageFilterInput } from './dto/usage.types';
import { CONTEXT, type QueryContextRow, type RollupFilter } from './usage-statements';
import { UsageError, UsageErrorReason } from './usage.error';

/* What a usage read covers: the organisation as reads see it, the period and the filter, checked. */

const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** The organisation as reads need it: its currency, its clock and its plan. */
export interface QueryContext {
  currency: string;
  /** Its test clock, or real time. */
  now: Date;
  subscription: { planId: string } | null;
}

export async function readContext(db: DataSource, organizationId: string): Promise<QueryContext> {
  const rows = await db.query<QueryContextRow[]>(CONTEXT.text, CONTEXT.values({ org: organizationId }));
  const row = rows[0];
  if (!row) throw organizationNotFound(organizationId);
  return { currency: row.currency, now: row.now, subscription: row.plan_id ? { planId: row.plan_id } : null };
}

/** The period a read covers: the one given (whole hours), or the organisation's current month. */
export function resolvePeriod(context: QueryContext, input?: { from: Date; to: Date } | null): Period {
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

export async function resolveFilter(catalog: RatingCatalog, filter?: UsageFilterInput | null): Promise<RollupFilter> {
  if (!filter) return {};
  let metricId: string | undefined;
  if (filter.metric) {
    const metric = (await catalog.metricsFor([filter.metric])).get(filter.metric);
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

/** No team, project, user or dimension filter: whole-organisation figures. */
export const isUnfiltered = (f: RollupFilter) => !f.team && !f.project && !f.user && !f.dimensions;

/** Whether the period is whole calendar months, which usage_totals hold. */
export function isWholeMonths(period: Period): boolean {
  const start = monthPeriod(period.start).start;
  const end = monthPeriod(new Date(period.end.getTime() - 1)).end;
  return start.getTime() === period.start.getTime() && end.getTime() === period.end.getTime();
}
