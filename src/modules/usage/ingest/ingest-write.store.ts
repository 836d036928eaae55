import type { PoolClient } from 'pg';
import { Dictionary, namedStatement, plainArray, textArray } from '../../../common/database/pg-array';
import { isoWriter } from './iso-writer';
import type { UsageAggregator } from './usage-aggregator';

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
    'dayMetric',
    'dayPeriod',
    'dayStart',
    'dayPeak',
    'dayClose',
    'dayCloseAt',
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
  days AS (
    INSERT INTO usage_daily_peaks (organization_id, metric_id, period_start, day, peak, close_quantity, close_at)
    SELECT ${$.org}::uuid, * FROM unnest(${$.dayMetric}::uuid[], ${$.dayPeriod}::timestamptz[], ${$.dayStart}::timestamptz[], ${$.dayPeak}::numeric[],
                                         ${$.dayClose}::numeric[], ${$.dayCloseAt}::timestamptz[])
    ON CONFLICT (organization_id, metric_id, period_start, day) DO UPDATE SET
      peak = EXCLUDED.peak, close_quantity = EXCLUDED.close_quantity, close_at = EXCLUDED.close_at),
  rate AS (
    INSERT INTO usage_rate_windows (organization_id, window_start, count)
    SELECT ${$.org}::uuid, ${$.rateWindow}::timestamptz, ${$.rateCount}::int WHERE ${$.rateWindow}::timestamptz IS NOT NULL
    ON CONFLICT (organization_id, window_start) DO UPDATE SET count = usage_rate_windows.count + EXCLUDED.count),
  old_rates AS (
    DELETE FROM usage_rate_windows
     WHERE ${$.rateWindow}::timestamptz IS NOT NULL AND organization_id = ${$.org}::uuid AND window_start < ${$.rateWindow}::timestamptz - interval '1 hour')
SELECT pg_notify(${$.notifyChannel}, ${$.org}::text) WHERE ${$.notifyChannel}::text IS NOT NULL`,
);

/**
 * Everything the batch changed, in one statement (WRITE): the new team,
 * project and user keys, idempotency keys, raw events, totals, rollups,
 * rate-card totals, distinct values, sessions, days of readings and the rate window, plus the
 * NOTIFY that announces the change on commit. Ids were checked under the
 * organisation's lock, so keys and events are plain inserts.
 */
export async function writeIngestBatch(
  client: PoolClient,
  organizationId: string,
  aggregator: UsageAggregator,
  rateWindow: Date | null,
  notifyChannel: string | null,
): Promise<void> {
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
  const days = aggregator.changedDays.flatMap(({ metricId, periodStart, days }) => days.map((d) => ({ metricId, periodStart, ...d })));
  // Events and rollup cells index shared dictionaries; a cell's '' (no team) is the events' null.
  const metrics = new Dictionary<string>();
  const teams = new Dictionary<string | null>();
  const projects = new Dictionary<string | null>();
  const users = new Dictionary<string | null>();
  const dimensions = new Dictionary<string>();
  const quantities = events.map((e) => e.quantity.toFixed());
  await client.query({
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
      dayMetric: plainArray(days.map((d) => d.metricId)),
      dayPeriod: plainArray(days.map((d) => iso(d.periodStart))),
      dayStart: plainArray(days.map((d) => iso(d.day))),
      dayPeak: plainArray(days.map((d) => d.peak.toFixed())),
      dayClose: plainArray(days.map((d) => d.close.toFixed())),
      dayCloseAt: plainArray(days.map((d) => iso(d.closeAt))),
      rateWindow: rateWindow && iso(rateWindow),
      rateCount: accepted.length,
      notifyChannel,
    }),
  });
}
