import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { namedStatement } from '../../common/database/pg-array';
import { allocate } from '../../common/money/allocate';
import { minorUnits } from '../../common/money/currency';
import { Dec } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import type { UsageQueryService } from '../usage/usage-query.service';
import type { CostBreakdown, CostGroup, CostSeries } from './dto/cost.types';

const FIELDS: Record<string, string> = {
  team: `nullif(r.team, '')`,
  project: `nullif(r.project, '')`,
  user: `nullif(r.user_key, '')`,
  metric: 'm.code',
  department: 't.department',
};
/** groupBy keys that CostGroup has a field for; any other key is an event dimension. */
const NAMED_KEYS = ['team', 'project', 'user', 'metric', 'department'] as const;
const isNamedKey = (key: string): key is (typeof NAMED_KEYS)[number] => (NAMED_KEYS as readonly string[]).includes(key);

/** A group's JSON form (`{"team": "ml", "model": null}`) as the typed CostGroup. */
export function costGroupOf(group: Record<string, string | null>): CostGroup {
  const typed: CostGroup = { team: null, project: null, user: null, metric: null, department: null, dimensions: [] };
  for (const [key, value] of Object.entries(group)) {
    if (isNamedKey(key)) typed[key] = value;
    else typed.dimensions.push({ key, value });
  }
  return typed;
}
const DIMENSION_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;
const MAX_GROUPS = 5;

/** A group's keys as g0, g1, … (null when a row has none) and its cost. */
interface GroupCostRow {
  [key: `g${number}`]: string | null;
  cost: string;
}

interface GroupDayCostRow extends GroupCostRow {
  at: Date;
}

const COST_PARAMETERS = ['organizationId', 'from', 'to', 'dimensionKeys'] as const;
type CostParameter = (typeof COST_PARAMETERS)[number];

/** The rollups of [from, to) with their metric and team; dimension keys travel as one array. */
const FROM_ROLLUPS = (p: Record<CostParameter, string>) => `FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
      LEFT JOIN teams t ON t.organization_id = r.organization_id AND t.key = r.team
     WHERE r.organization_id = ${p.organizationId} AND r.bucket_start >= ${p.from} AND r.bucket_start < ${p.to}`;

/**
 * Who spent it (cost allocation): cost by any mix of team, project, user,
 * metric, department and event dimensions, from the hourly rollups. Rows are
 * rounded and sum exactly to the total, which is `usage.totalCost`.
 */
export class CostService {
  constructor(
    private readonly db: DataSource,
    private readonly usage: UsageQueryService,
  ) {}

  async breakdown(
    principal: Principal,
    organizationIdInput: string,
    period: { from: Date; to: Date } | null | undefined,
    groupBy: string[],
  ): Promise<CostBreakdown> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    const report = await this.usage.reportFor(organizationId, period);
    const { select, dimensionKeys } = this.grouping(groupBy);
    const statement = namedStatement(
      COST_PARAMETERS,
      (p) => `SELECT ${select(p)}, sum(r.cost) AS cost ${FROM_ROLLUPS(p)}
               GROUP BY ${groupBy.map((_, i) => i + 1).join(', ')}`,
    );
    const rows = await this.db.query<GroupCostRow[]>(
      statement.text,
      statement.values({ organizationId, from: report.periodStart.toISOString(), to: report.periodEnd.toISOString(), dimensionKeys }),
    );
    const currency = report.totalCost.currency;
    const decimals = minorUnits(currency);
    const total = new Dec(report.totalCost.amount);
    const amounts = allocate(
      total,
      rows.map((r) => new Dec(r.cost)),
      decimals,
    );
    const result = rows.map((row, i) => {
      const group = Object.fromEntries(groupBy.map((key, k) => [key, row[`g${k}`] ?? null]));
      return {
        group,
        groupKey: costGroupOf(group),
        cost: Money.of(amounts[i]!.toFixed(decimals), currency),
        share: total.isZero() ? 0 : Number(amounts[i]!.div(total).toDecimalPlaces(12)),
        unallocated: Object.values(group).some((v) => v === null),
      };
    });
    result.sort(
      (a, b) => new Dec(b.cost.amount).comparedTo(a.cost.amount) || JSON.stringify(a.group).localeCompare(JSON.stringify(b.group)),
    );
    // Floats of exact shares can miss 1 by an ulp, and float sums depend on their order: after the sort, the last
    // row with a cost takes the difference, so the shares add up to exactly 1 read in order (zero rows stay 0).
    const last = result.findLastIndex((r) => r.share !== 0);
    if (last >= 0) result[last]!.share = 1 - result.slice(0, last).reduce((sum, r) => sum + r.share, 0);
    return { total: report.totalCost, rows: result };
  }

  /** Daily cost per group, for charts (unrounded). */
  async series(
    principal: Principal,
    organizationIdInput: string,
    period: { from: Date; to: Date } | null | undefined,
    groupBy: string[],
  ): Promise<CostSeries[]> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    const range = await this.usage.periodFor(organizationId, period);
    const { select, dimensionKeys } = this.grouping(groupBy);
    const statement = namedStatement(
      COST_PARAMETERS,
      (
        p,
      ) => `SELECT ${select(p)}, date_trunc('day', r.bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, sum(r.cost) AS cost ${FROM_ROLLUPS(p)}
               GROUP BY ${[...groupBy.map((_, i) => i + 1), groupBy.length + 1].join(', ')} ORDER BY ${groupBy.length + 1}`,
    );
    const rows = await this.db.query<GroupDayCostRow[]>(
      statement.text,
      statement.values({ organizationId, from: range.start.toISOString(), to: range.end.toISOString(), dimensionKeys }),
    );
    const series = new Map<string, CostSeries>();
    for (const row of rows) {
      const group = Object.fromEntries(groupBy.map((key, k) => [key, row[`g${k}`] ?? null]));
      const key = JSON.stringify(group);
      const entry = series.get(key) ?? { group, groupKey: costGroupOf(group), points: [] };
      entry.points.push({ at: row.at, cost: new Dec(row.cost).toFixed() });
      series.set(key, entry);
    }
    return [...series.values()];
  }

  /** SELECT expressions g0, g1, … for the group keys; dimension keys are read from the `dimensionKeys` parameter. */
  private grouping(groupBy: string[]): { select: (p: Record<CostParameter, string>) => string; dimensionKeys: string[] } {
    if (groupBy.length === 0 || groupBy.length > MAX_GROUPS || new Set(groupBy).size !== groupBy.length) {
      throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `groupBy takes 1 to ${MAX_GROUPS} distinct keys`);
    }
    const dimensionKeys: string[] = [];
    const expressions = groupBy.map((key) => {
      const field = FIELDS[key];
      if (field) return () => field;
      if (!DIMENSION_KEY.test(key)) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `"${key}" is not a field or dimension key`);
      const position = dimensionKeys.push(key);
      return (p: Record<CostParameter, string>) => `r.dimensions ->> (${p.dimensionKeys}::text[])[${position}]`;
    });
    return { select: (p) => expressions.map((expression, i) => `${expression(p)} AS g${i}`).join(', '), dimensionKeys };
  }
}
