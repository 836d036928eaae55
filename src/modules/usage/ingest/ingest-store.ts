import type { PoolClient, QueryResult } from 'pg';
import { Dictionary, namedStatement, plainArray, textArray } from '../../../common/database/pg-array';
import { Dec } from '../../../common/money/decimal';
import { organizationNow, type OrganizationClock } from '../../../common/time/organization-clock';
import type { SubscriptionStatus } from '../../subscription/plan-subscription.entity';
import { eventKeyValue } from './event-validator';
import type { NormalizedEvent } from './normalized-event';
import { Aggregation } from '../../metric/aggregation';
import { sessionGroupKey, totalKey, type SessionState, type TotalState } from './aggregator-state';
import type { UsageAggregator } from './usage-aggregator';

/** What ingestion needs of the organisation and its subscription. */
export interface IngestContext {
  currency: string;
  closed: boolean;
  now: Date;
  subscription: { planId: string; status: SubscriptionStatus; currentPeriodStart: Date } | null;
}

/** The organisation's stored state that a batch's events touch. */
export interface IngestState {
  known: Set<string>;
  totals: Map<string, TotalState>;
  periodCosts: Map<number, Dec>;
  uniqueSeen: Map<string, Set<string>>;
  sessions: Map<string, SessionState[]>;
  rateCount: number;
}

interface ContextOrganizationRow extends OrganizationClock {
  currency: string;
  closed: boolean;
}

interface ContextSubscriptionRow {
  plan_id: string;
  status: SubscriptionStatus;
  current_period_start: Date;
}

/** The batch's stored state, in one row; json arrays keep it to one round trip. */
interface StateRow {
  known: string[];
  /** [metric, period start, quantity, cost, event count, latest at, latest quantity] */
  totals: Array<[string, string, string, string, number, string | null, string | null]>;
  /** [metric, period start, value] */
  uniques: Array<[string, string, string]>;
  /** [id, metric, period start, key, started at, last at] */
  sessions: Array<[string, string, string, string, string, string]>;
  rate_count: number | null;
}

const STATE = namedStatement(
  [
    'org',
    'eventIds',
    'periods',
    'uniqueMetric',
    'uniquePeriod',
    'uniqueValue',
    'sessionMetric',
    'sessionPeriod',
    'sessionKey',
    'rateWindow',
  ],
  (p) => `SELECT
    (SELECT coalesce(array_agg(event_id), '{}') FROM usage_event_keys WHERE organization_id = ${p.org} AND event_id = ANY(${p.eventIds}::text[])) AS known,
    (SELECT coalesce(json_agg(json_build_array(metric_id, period_start, quantity::text, cost::text, event_count, latest_at, latest_quantity::text)), '[]')
       FROM usage_totals WHERE organization_id = ${p.org} AND period_start = ANY(${p.periods}::timestamptz[])) AS totals,
    (SELECT coalesce(json_agg(json_build_array(v.metric_id, v.period_start, v.value)), '[]')
       FROM usage_unique_values v
       JOIN (SELECT DISTINCT * FROM unnest(${p.uniqueMetric}::uuid[], ${p.uniquePeriod}::timestamptz[], ${p.uniqueValue}::text[])) AS k(metric_id, period_start, value)
         ON v.metric_id = k.metric_id AND v.period_start = k.period_start AND v.value = k.value
      WHERE v.organization_id = ${p.org}) AS uniques,
    (SELECT coalesce(json_agg(json_build_array(s.id, s.metric_id, s.period_start, s.session_key, s.started_at, s.last_at)), '[]')
       FROM usage_sessions s
       JOIN (SELECT DISTINCT * FROM unnest(${p.sessionMetric}::uuid[], ${p.sessionPeriod}::timestamptz[], ${p.sessionKey}::text[])) AS k(metric_id, period_start, session_key)
         ON s.metric_id = k.metric_id AND s.period_start = k.period_start AND s.session_key = k.session_key
      WHERE s.organization_id = ${p.org}) AS sessions,
    (SELECT count FROM usage_rate_windows WHERE organization_id = ${p.org} AND window_start = ${p.rateWindow}) AS rate_count`,
);

/**
 * ISO text of a timestamp, remembered: the events of a batch share a few
 * instants, and toISOString is costly by the thousand.
 */
function isoWriter(): (date: Date) => string {
  const seen = new Map<number, string>();
  return (date) => {
    const ms = date.getTime();
    let text = seen.get(ms);
    if (text === undefined) {
      text = date.toISOString();
      seen.set(ms, text);
    }
    return text;
  };
}

/**
 * The SQL of one ingest transaction, in three round trips after BEGIN: lock
 * and context, the state the batch touches, and every write. Each statement
 * round trip costs both processes a few system calls and a wake-up, which at
 * 1,000 events a batch outweighed the statements' own work.
 */
export class IngestStore {
  constructor(private readonly client: PoolClient) {}

  /**
   * Serialises the organisation's batches (across nodes), then reads it and
   * SHARE-locks its subscription against a period close until commit. One
   * simple-protocol round trip of three statements, so the reads take their
   * snapshot after the lock is held.
   */
  async lockAndLoadContext(organizationId: string): Promise<IngestContext | null> {
    const id = `'${organizationId.replace(/'/g, "''")}'`;
    const results = (await this.client.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(${id}, 0));
       SELECT currency, closed_at IS NOT NULL AS closed, test_clock_at AS "testClockAt" FROM organizations WHERE id = ${id};
       SELECT plan_id, status, current_period_start FROM plan_subscriptions WHERE organization_id = ${id} FOR SHARE`,
    )) as unknown as [QueryResult, QueryResult<ContextOrganizationRow>, QueryResult<ContextSubscriptionRow>];
    const organization = results[1].rows[0];
    if (!organization) return null;
    const subscription = results[2].rows[0];
    return {
      currency: organization.currency,
      closed: organization.closed,
      // The clock read here, not organization_now(o): now() is the transaction's start, before the lock wait.
      now: organizationNow(organization),
      subscription: subscription
        ? { planId: subscription.plan_id, status: subscription.status, currentPeriodStart: subscription.current_period_start }
        : null,
    };
  }

  /** Ids already recorded, and the totals, distinct values, sessions and rate window the candidates would change. */
  async loadState(organizationId: string, candidates: NormalizedEvent[], rateWindow: Date | null): Promise<IngestState> {
    const iso = isoWriter();
    const uniques = candidates.filter((e) => e.metric.aggregation === Aggregation.UNIQUE_COUNT);
    const sessioned = candidates.filter((e) => e.metric.sessionIdleMinutes !== null);
    const { rows } = await this.client.query<StateRow>({
      name: 'meterly_ingest_state',
      text: STATE.text,
      values: STATE.values({
        org: organizationId,
        eventIds: textArray(candidates.map((e) => e.id)),
        periods: plainArray([...new Set(candidates.map((e) => iso(e.periodStart)))]),
        uniqueMetric: plainArray(uniques.map((e) => e.metric.id)),
        uniquePeriod: plainArray(uniques.map((e) => iso(e.periodStart))),
        uniqueValue: textArray(uniques.map((e) => eventKeyValue(e, e.metric.uniqueBy!))),
        sessionMetric: plainArray(sessioned.map((e) => e.metric.id)),
        sessionPeriod: plainArray(sessioned.map((e) => iso(e.periodStart))),
        sessionKey: textArray(sessioned.map((e) => eventKeyValue(e, e.metric.sessionKey!))),
        rateWindow: rateWindow && iso(rateWindow),
      }),
    });
    const row = rows[0]!;

    const totals = new Map<string, TotalState>();
    const periodCosts = new Map<number, Dec>();
    for (const [metricId, periodText, quantity, cost, eventCount, latestAt, latestQuantity] of row.totals) {
      const periodStart = new Date(periodText);
      const total: TotalState = {
        metricId,
        periodStart,
        quantity: new Dec(quantity),
        cost: new Dec(cost),
        eventCount: Number(eventCount),
        latestAt: latestAt === null ? null : new Date(latestAt),
        latestQuantity: latestQuantity === null ? null : new Dec(latestQuantity),
        dirty: false,
      };
      totals.set(totalKey(metricId, periodStart), total);
      periodCosts.set(periodStart.getTime(), (periodCosts.get(periodStart.getTime()) ?? new Dec(0)).plus(total.cost));
    }

    const uniqueSeen = new Map<string, Set<string>>();
    for (const [metricId, periodText, value] of row.uniques) {
      const key = totalKey(metricId, new Date(periodText));
      uniqueSeen.set(key, (uniqueSeen.get(key) ?? new Set()).add(value));
    }

    const sessions = new Map<string, SessionState[]>();
    for (const [id, metricId, periodText, key, startedAt, lastAt] of row.sessions) {
      const periodStart = new Date(periodText);
      const group = sessionGroupKey(metricId, periodStart, key);
      const list = sessions.get(group) ?? [];
      list.push({ id, metricId, periodStart, key, startedAt: new Date(startedAt), lastAt: new Date(lastAt), state: 'loaded' });
      sessions.set(group, list);
    }

    return { known: new Set(row.known), totals, periodCosts, uniqueSeen, sessions, rateCount: row.rate_count ?? 0 };
  }

  /**
   * Everything the batch changed, in one statement (WRITE): the new team,
   * project and user keys, idempotency keys, raw events, totals, rollups,
   * rate-card totals, distinct values, sessions and the rate window, plus the
   * NOTIFY that announces the change on commit. Ids were checked under the
   * organisation's lock, so keys and events are plain inserts.
   */
  async write(organizationId: string, aggregator: UsageAggregator, rateWindow: Date | null, notifyChannel: string | null): Promise<void> {
    const iso = isoWriter();
    const accepted = aggregator.accepted;
    const events = accepted.map((a) => a.event);
    const totals = aggregator.dirtyTotals;
    const cells = aggregator.rollupDeltas;
    const prices = aggregator.priceDeltas;
    const uniques = aggregator.uniqueInserts;
    const sessions = aggregator.changedSessions;
    const gone = sessions.filter((s) => s.state === 'deleted');
    const kept = sessions.filter((s) => s.state === 'new' || s.state === 'changed');
    // Events and rollup cells index shared dictionaries; a cell's '' (no team) is the events' null.
    const metrics = new Dictionary<string>();
    const teams = new Dictionary<string | null>();
    const projects = new Dictionary<string | null>();
    const users = new Dictionary<string | null>();
    const dimensions = new Dictionary<string>();
    const quantities = events.map((e) => e.quantity.toFixed());
    await this.client.query({
      name: 'meterly_ingest_write',
      text: WRITE.text,
      values: WRITE.values({
        org: organizationId,
        eventIds: textArray(events.map((e) => e.id)),
        eventMetric: plainArray(events.map((e) => metrics.add(e.metric.id))),
        eventAt: plainArray(events.map((e) => e.occurredAt.getTime())),
        eventQuantity: plainArray(quantities),
        // Unrounded events hold one Decimal for both: its text is made once.
        eventRawQuantity: plainArray(events.map((e, i) => (e.rawQuantity === e.quantity ? quantities[i]! : e.rawQuantity.toFixed()))),
        eventDelta: plainArray(accepted.map((a) => a.delta.toFixed())),
        eventCost: plainArray(accepted.map((a) => a.cost.toFixed())),
        eventTeam: plainArray(events.map((e) => teams.add(e.team))),
        eventProject: plainArray(events.map((e) => projects.add(e.project))),
        eventUser: plainArray(events.map((e) => users.add(e.user))),
        eventDimensions: plainArray(events.map((e) => dimensions.add(e.dimensionsJson))),
        cellMetric: plainArray(cells.map((c) => metrics.add(c.metricId))),
        cellBucket: plainArray(cells.map((c) => c.bucket.getTime())),
        cellTeam: plainArray(cells.map((c) => teams.add(c.team || null))),
        cellProject: plainArray(cells.map((c) => projects.add(c.project || null))),
        cellUser: plainArray(cells.map((c) => users.add(c.user || null))),
        cellDimensions: plainArray(cells.map((c) => dimensions.add(c.dimensions))),
        cellQuantity: plainArray(cells.map((c) => c.quantity.toFixed())),
        cellCost: plainArray(cells.map((c) => c.cost.toFixed())),
        cellEvents: plainArray(cells.map((c) => c.events)),
        cellMax: plainArray(cells.map((c) => c.maxQuantity.toFixed())),
        cellLatestAt: plainArray(cells.map((c) => c.latestAt.getTime())),
        cellLatestQuantity: plainArray(cells.map((c) => c.latestQuantity.toFixed())),
        // Built after every add above.
        metrics: plainArray(metrics.items),
        teams: textArray(teams.items),
        projects: textArray(projects.items),
        users: textArray(users.items),
        dimensions: textArray(dimensions.items),
        totalMetric: plainArray(totals.map((t) => t.metricId)),
        totalPeriod: plainArray(totals.map((t) => iso(t.periodStart))),
        totalQuantity: plainArray(totals.map((t) => t.quantity.toFixed())),
        totalCost: plainArray(totals.map((t) => t.cost.toFixed())),
        totalEvents: plainArray(totals.map((t) => t.eventCount)),
        totalLatestAt: plainArray(totals.map((t) => t.latestAt && iso(t.latestAt))),
        totalLatestQuantity: plainArray(totals.map((t) => t.latestQuantity?.toFixed() ?? null)),
        priceMetric: plainArray(prices.map((p) => p.metricId)),
        pricePeriod: plainArray(prices.map((p) => iso(p.periodStart))),
        priceLabel: textArray(prices.map((p) => p.label)),
        priceUnit: plainArray(prices.map((p) => p.unitPrice)),
        priceQuantity: plainArray(prices.map((p) => p.quantity.toFixed())),
        priceCost: plainArray(prices.map((p) => p.cost.toFixed())),
        uniqueMetric: plainArray(uniques.map((u) => u.metricId)),
        uniquePeriod: plainArray(uniques.map((u) => iso(u.periodStart))),
        uniqueValue: textArray(uniques.map((u) => u.value)),
        goneSessions: plainArray(gone.map((s) => s.id)),
        sessionId: plainArray(kept.map((s) => s.id)),
        sessionMetric: plainArray(kept.map((s) => s.metricId)),
        sessionPeriod: plainArray(kept.map((s) => iso(s.periodStart))),
        sessionKey: textArray(kept.map((s) => s.key)),
        sessionStarted: plainArray(kept.map((s) => iso(s.startedAt))),
        sessionLast: plainArray(kept.map((s) => iso(s.lastAt))),
        rateWindow: rateWindow && iso(rateWindow),
        rateCount: accepted.length,
        notifyChannel,
      }),
    });
  }
}

/** Epoch milliseconds as a timestamp, exactly: an integer parses cheaper than ISO text. */
const fromMs = (column: string) => `(timestamptz 'epoch' + ${column} * interval '1 millisecond')`;

const WRITE = namedStatement(
  [
    'org',
    'eventIds',
    'eventMetric',
    'eventAt',
    'eventQuantity',
    'eventRawQuantity',
    'eventDelta',
    'eventCost',
    'eventTeam',
    'eventProject',
    'eventUser',
    'eventDimensions',
    'cellMetric',
    'cellBucket',
    'cellTeam',
    'cellProject',
    'cellUser',
    'cellDimensions',
    'cellQuantity',
    'cellCost',
    'cellEvents',
    'cellMax',
    'cellLatestAt',
    'cellLatestQuantity',
    'metrics',
    'teams',
    'projects',
    'users',
    'dimensions',
    'totalMetric',
    'totalPeriod',
    'totalQuantity',
    'totalCost',
    'totalEvents',
    'totalLatestAt',
    'totalLatestQuantity',
    'priceMetric',
    'pricePeriod',
    'priceLabel',
    'priceUnit',
    'priceQuantity',
    'priceCost',
    'uniqueMetric',
    'uniquePeriod',
    'uniqueValue',
    'goneSessions',
    'sessionId',
    'sessionMetric',
    'sessionPeriod',
    'sessionKey',
    'sessionStarted',
    'sessionLast',
    'rateWindow',
    'rateCount',
    'notifyChannel',
  ],
  ($) => `WITH
  teams AS (INSERT INTO teams (organization_id, key) SELECT ${$.org}::uuid, k FROM unnest(${$.teams}::text[]) AS k WHERE k IS NOT NULL ON CONFLICT (organization_id, key) DO NOTHING),
  projects AS (INSERT INTO projects (organization_id, key) SELECT ${$.org}::uuid, k FROM unnest(${$.projects}::text[]) AS k WHERE k IS NOT NULL ON CONFLICT (organization_id, key) DO NOTHING),
  users AS (INSERT INTO users (organization_id, key) SELECT ${$.org}::uuid, k FROM unnest(${$.users}::text[]) AS k WHERE k IS NOT NULL ON CONFLICT (organization_id, key) DO NOTHING),
  keys AS (INSERT INTO usage_event_keys (organization_id, event_id) SELECT ${$.org}::uuid, k FROM unnest(${$.eventIds}::text[]) AS k),
  events AS (
    INSERT INTO usage_events (organization_id, event_id, metric_id, occurred_at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions)
    SELECT ${$.org}::uuid, e.id, (${$.metrics}::uuid[])[e.metric], ${fromMs('e.at')}, e.quantity, e.raw_quantity, e.delta, e.cost,
           (${$.teams}::text[])[e.team], (${$.projects}::text[])[e.project], (${$.users}::text[])[e.user_key], (${$.dimensions}::jsonb[])[e.dimensions]
      FROM unnest(${$.eventIds}::text[], ${$.eventMetric}::int[], ${$.eventAt}::bigint[], ${$.eventQuantity}::numeric[], ${$.eventRawQuantity}::numeric[],
                  ${$.eventDelta}::numeric[], ${$.eventCost}::numeric[], ${$.eventTeam}::int[], ${$.eventProject}::int[], ${$.eventUser}::int[], ${$.eventDimensions}::int[])
        AS e(id, metric, at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions)),
  totals AS (
    INSERT INTO usage_totals (organization_id, metric_id, period_start, quantity, cost, event_count, latest_at, latest_quantity, updated_at)
    SELECT ${$.org}::uuid, *, now() FROM unnest(${$.totalMetric}::uuid[], ${$.totalPeriod}::timestamptz[], ${$.totalQuantity}::numeric[], ${$.totalCost}::numeric[],
                                                 ${$.totalEvents}::bigint[], ${$.totalLatestAt}::timestamptz[], ${$.totalLatestQuantity}::numeric[])
    ON CONFLICT (organization_id, metric_id, period_start) DO UPDATE SET
      quantity = EXCLUDED.quantity, cost = EXCLUDED.cost, event_count = EXCLUDED.event_count,
      latest_at = EXCLUDED.latest_at, latest_quantity = EXCLUDED.latest_quantity, updated_at = now()),
  rollups AS (
    INSERT INTO usage_rollups (organization_id, metric_id, bucket_start, team, project, user_key, dimensions, quantity, cost, event_count, max_quantity, latest_at, latest_quantity)
    SELECT ${$.org}::uuid, (${$.metrics}::uuid[])[r.metric], ${fromMs('r.bucket')},
           coalesce((${$.teams}::text[])[r.team], ''), coalesce((${$.projects}::text[])[r.project], ''), coalesce((${$.users}::text[])[r.user_key], ''),
           (${$.dimensions}::jsonb[])[r.dimensions], r.quantity, r.cost, r.event_count, r.max_quantity, ${fromMs('r.latest_at')}, r.latest_quantity
      FROM unnest(${$.cellMetric}::int[], ${$.cellBucket}::bigint[], ${$.cellTeam}::int[], ${$.cellProject}::int[], ${$.cellUser}::int[], ${$.cellDimensions}::int[],
                  ${$.cellQuantity}::numeric[], ${$.cellCost}::numeric[], ${$.cellEvents}::bigint[], ${$.cellMax}::numeric[], ${$.cellLatestAt}::bigint[], ${$.cellLatestQuantity}::numeric[])
        AS r(metric, bucket, team, project, user_key, dimensions, quantity, cost, event_count, max_quantity, latest_at, latest_quantity)
    ON CONFLICT (organization_id, metric_id, bucket_start, team, project, user_key, dimensions) DO UPDATE SET
      quantity = usage_rollups.quantity + EXCLUDED.quantity,
      cost = usage_rollups.cost + EXCLUDED.cost,
      event_count = usage_rollups.event_count + EXCLUDED.event_count,
      max_quantity = GREATEST(usage_rollups.max_quantity, EXCLUDED.max_quantity),
      latest_quantity = CASE WHEN EXCLUDED.latest_at >= usage_rollups.latest_at THEN EXCLUDED.latest_quantity ELSE usage_rollups.latest_quantity END,
      latest_at = GREATEST(usage_rollups.latest_at, EXCLUDED.latest_at)),
  prices AS (
    INSERT INTO usage_price_totals (organization_id, metric_id, period_start, label, unit_price, quantity, cost)
    SELECT ${$.org}::uuid, * FROM unnest(${$.priceMetric}::uuid[], ${$.pricePeriod}::timestamptz[], ${$.priceLabel}::text[], ${$.priceUnit}::numeric[],
                                         ${$.priceQuantity}::numeric[], ${$.priceCost}::numeric[])
    ON CONFLICT (organization_id, metric_id, period_start, label) DO UPDATE SET
      quantity = usage_price_totals.quantity + EXCLUDED.quantity, cost = usage_price_totals.cost + EXCLUDED.cost),
  uniques AS (
    INSERT INTO usage_unique_values (organization_id, metric_id, period_start, value)
    SELECT ${$.org}::uuid, * FROM unnest(${$.uniqueMetric}::uuid[], ${$.uniquePeriod}::timestamptz[], ${$.uniqueValue}::text[])),
  gone_sessions AS (DELETE FROM usage_sessions WHERE id = ANY(${$.goneSessions}::uuid[])),
  sessions AS (
    INSERT INTO usage_sessions (id, organization_id, metric_id, period_start, session_key, started_at, last_at)
    SELECT k.id, ${$.org}::uuid, k.metric_id, k.period_start, k.session_key, k.started_at, k.last_at
      FROM unnest(${$.sessionId}::uuid[], ${$.sessionMetric}::uuid[], ${$.sessionPeriod}::timestamptz[], ${$.sessionKey}::text[],
                  ${$.sessionStarted}::timestamptz[], ${$.sessionLast}::timestamptz[]) AS k(id, metric_id, period_start, session_key, started_at, last_at)
    ON CONFLICT (id, organization_id) DO UPDATE SET started_at = EXCLUDED.started_at, last_at = EXCLUDED.last_at),
  rate AS (
    INSERT INTO usage_rate_windows (organization_id, window_start, count)
    SELECT ${$.org}::uuid, ${$.rateWindow}::timestamptz, ${$.rateCount}::int WHERE ${$.rateWindow}::timestamptz IS NOT NULL
    ON CONFLICT (organization_id, window_start) DO UPDATE SET count = usage_rate_windows.count + EXCLUDED.count),
  old_rates AS (
    DELETE FROM usage_rate_windows
     WHERE ${$.rateWindow}::timestamptz IS NOT NULL AND organization_id = ${$.org}::uuid AND window_start < ${$.rateWindow}::timestamptz - interval '1 hour')
SELECT pg_notify(${$.notifyChannel}, ${$.org}::text) WHERE ${$.notifyChannel}::text IS NOT NULL`,
);
