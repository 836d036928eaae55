import type { PoolClient } from 'pg';
import { dictionary, plainArray, textArray } from '../../../common/database/pg-array';
import { Dec } from '../../../common/money/decimal';
import type { SubscriptionStatus } from '../../subscription/plan-subscription.entity';
import { eventKeyValue } from './event-validator';
import type { NormalizedEvent } from './normalized-event';
import { Aggregation } from '../../metric/aggregation';
import { sessionGroupKey, totalKey, type SessionState, type TotalState, type UsageAggregator } from './usage-aggregator';

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
       SELECT currency, closed_at IS NOT NULL AS closed, test_clock_at FROM organizations WHERE id = ${id};
       SELECT plan_id, status, current_period_start FROM plan_subscriptions WHERE organization_id = ${id} FOR SHARE`,
    )) as unknown as Array<{ rows: Array<Record<string, unknown>> }>;
    const organization = results[1]?.rows[0] as { currency: string; closed: boolean; test_clock_at: Date | null } | undefined;
    if (!organization) return null;
    const subscription = results[2]?.rows[0] as { plan_id: string; status: SubscriptionStatus; current_period_start: Date } | undefined;
    return {
      currency: organization.currency,
      closed: organization.closed,
      now: organization.test_clock_at ?? new Date(),
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
    const { rows } = await this.client.query<{
      known: string[];
      totals: Array<[string, string, string, string, number, string | null, string | null]>;
      uniques: Array<[string, string, string]>;
      sessions: Array<[string, string, string, string, string, string]>;
      rate_count: number | null;
    }>({
      name: 'meterly_ingest_state',
      text: `SELECT
        (SELECT coalesce(array_agg(event_id), '{}') FROM usage_event_keys WHERE organization_id = $1 AND event_id = ANY($2::text[])) AS known,
        (SELECT coalesce(json_agg(json_build_array(metric_id, period_start, quantity::text, cost::text, event_count, latest_at, latest_quantity::text)), '[]')
           FROM usage_totals WHERE organization_id = $1 AND period_start = ANY($3::timestamptz[])) AS totals,
        (SELECT coalesce(json_agg(json_build_array(v.metric_id, v.period_start, v.value)), '[]')
           FROM usage_unique_values v JOIN (SELECT DISTINCT * FROM unnest($4::uuid[], $5::timestamptz[], $6::text[])) AS k(metric_id, period_start, value)
             ON v.metric_id = k.metric_id AND v.period_start = k.period_start AND v.value = k.value
          WHERE v.organization_id = $1) AS uniques,
        (SELECT coalesce(json_agg(json_build_array(s.id, s.metric_id, s.period_start, s.session_key, s.started_at, s.last_at)), '[]')
           FROM usage_sessions s JOIN (SELECT DISTINCT * FROM unnest($7::uuid[], $8::timestamptz[], $9::text[])) AS k(metric_id, period_start, session_key)
             ON s.metric_id = k.metric_id AND s.period_start = k.period_start AND s.session_key = k.session_key
          WHERE s.organization_id = $1) AS sessions,
        (SELECT count FROM usage_rate_windows WHERE organization_id = $1 AND window_start = $10) AS rate_count`,
      values: [
        organizationId,
        textArray(candidates.map((e) => e.id)),
        plainArray([...new Set(candidates.map((e) => iso(e.periodStart)))]),
        plainArray(uniques.map((e) => e.metric.id)),
        plainArray(uniques.map((e) => iso(e.periodStart))),
        textArray(uniques.map((e) => eventKeyValue(e, e.metric.uniqueBy!))),
        plainArray(sessioned.map((e) => e.metric.id)),
        plainArray(sessioned.map((e) => iso(e.periodStart))),
        textArray(sessioned.map((e) => eventKeyValue(e, e.metric.sessionKey!))),
        rateWindow && iso(rateWindow),
      ],
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
   * Everything the batch changed, in one statement: the new team, project and
   * user keys, idempotency keys, raw events, totals, rollups, rate-card
   * totals, distinct values, sessions and the rate window, plus the NOTIFY
   * that announces the change on commit. Ids were checked under the
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
    const eventMetrics = dictionary(events.map((e) => e.metric.id));
    const eventDimensions = dictionary(events.map((e) => e.dimensionsJson));
    const cellMetrics = dictionary(cells.map((c) => c.metricId));
    const cellDimensions = dictionary(cells.map((c) => c.dimensions));
    await this.client.query({
      name: 'meterly_ingest_write',
      text: `WITH
        teams AS (INSERT INTO teams (organization_id, key) SELECT $1::uuid, k FROM unnest($2::text[]) AS k ON CONFLICT (organization_id, key) DO NOTHING),
        projects AS (INSERT INTO projects (organization_id, key) SELECT $1::uuid, k FROM unnest($3::text[]) AS k ON CONFLICT (organization_id, key) DO NOTHING),
        users AS (INSERT INTO users (organization_id, key) SELECT $1::uuid, k FROM unnest($4::text[]) AS k ON CONFLICT (organization_id, key) DO NOTHING),
        keys AS (INSERT INTO usage_event_keys (organization_id, event_id) SELECT $1::uuid, k FROM unnest($5::text[]) AS k),
        events AS (
          INSERT INTO usage_events (organization_id, event_id, metric_id, occurred_at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions)
          SELECT $1::uuid, e.id, ($6::uuid[])[e.metric], e.occurred_at, e.quantity, e.raw_quantity, e.delta, e.cost, e.team, e.project, e.user_key, ($16::jsonb[])[e.dimensions]
            FROM unnest($5::text[], $7::int[], $8::timestamptz[], $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::text[], $14::text[], $15::text[], $17::int[])
              AS e(id, metric, occurred_at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions)),
        totals AS (
          INSERT INTO usage_totals (organization_id, metric_id, period_start, quantity, cost, event_count, latest_at, latest_quantity, updated_at)
          SELECT $1::uuid, *, now() FROM unnest($18::uuid[], $19::timestamptz[], $20::numeric[], $21::numeric[], $22::bigint[], $23::timestamptz[], $24::numeric[])
          ON CONFLICT (organization_id, metric_id, period_start) DO UPDATE SET
            quantity = EXCLUDED.quantity, cost = EXCLUDED.cost, event_count = EXCLUDED.event_count,
            latest_at = EXCLUDED.latest_at, latest_quantity = EXCLUDED.latest_quantity, updated_at = now()),
        rollups AS (
          INSERT INTO usage_rollups (organization_id, metric_id, bucket_start, team, project, user_key, dimensions, quantity, cost, event_count, max_quantity, latest_at, latest_quantity)
          SELECT $1::uuid, ($25::uuid[])[r.metric], r.bucket_start, r.team, r.project, r.user_key, ($31::jsonb[])[r.dimensions], r.quantity, r.cost, r.event_count, r.max_quantity, r.latest_at, r.latest_quantity
            FROM unnest($26::int[], $27::timestamptz[], $28::text[], $29::text[], $30::text[], $32::int[], $33::numeric[], $34::numeric[], $35::bigint[], $36::numeric[], $37::timestamptz[], $38::numeric[])
              AS r(metric, bucket_start, team, project, user_key, dimensions, quantity, cost, event_count, max_quantity, latest_at, latest_quantity)
          ON CONFLICT (organization_id, metric_id, bucket_start, team, project, user_key, dimensions) DO UPDATE SET
            quantity = usage_rollups.quantity + EXCLUDED.quantity,
            cost = usage_rollups.cost + EXCLUDED.cost,
            event_count = usage_rollups.event_count + EXCLUDED.event_count,
            max_quantity = GREATEST(usage_rollups.max_quantity, EXCLUDED.max_quantity),
            latest_quantity = CASE WHEN EXCLUDED.latest_at >= usage_rollups.latest_at THEN EXCLUDED.latest_quantity ELSE usage_rollups.latest_quantity END,
            latest_at = GREATEST(usage_rollups.latest_at, EXCLUDED.latest_at)),
        prices AS (
          INSERT INTO usage_price_totals (organization_id, metric_id, period_start, label, unit_price, quantity, cost)
          SELECT $1::uuid, * FROM unnest($39::uuid[], $40::timestamptz[], $41::text[], $42::numeric[], $43::numeric[], $44::numeric[])
          ON CONFLICT (organization_id, metric_id, period_start, label) DO UPDATE SET
            quantity = usage_price_totals.quantity + EXCLUDED.quantity, cost = usage_price_totals.cost + EXCLUDED.cost),
        uniques AS (
          INSERT INTO usage_unique_values (organization_id, metric_id, period_start, value)
          SELECT $1::uuid, * FROM unnest($45::uuid[], $46::timestamptz[], $47::text[])),
        gone_sessions AS (DELETE FROM usage_sessions WHERE id = ANY($48::uuid[])),
        sessions AS (
          INSERT INTO usage_sessions (id, organization_id, metric_id, period_start, session_key, started_at, last_at)
          SELECT k.id, $1::uuid, k.metric_id, k.period_start, k.session_key, k.started_at, k.last_at
            FROM unnest($49::uuid[], $50::uuid[], $51::timestamptz[], $52::text[], $53::timestamptz[], $54::timestamptz[]) AS k(id, metric_id, period_start, session_key, started_at, last_at)
          ON CONFLICT (id) DO UPDATE SET started_at = EXCLUDED.started_at, last_at = EXCLUDED.last_at),
        rate AS (
          INSERT INTO usage_rate_windows (organization_id, window_start, count) SELECT $1::uuid, $55::timestamptz, $56::int WHERE $55::timestamptz IS NOT NULL
          ON CONFLICT (organization_id, window_start) DO UPDATE SET count = usage_rate_windows.count + EXCLUDED.count),
        old_rates AS (DELETE FROM usage_rate_windows WHERE $55::timestamptz IS NOT NULL AND organization_id = $1::uuid AND window_start < $55::timestamptz - interval '1 hour')
      SELECT pg_notify($57, $1::text) WHERE $57::text IS NOT NULL`,
      values: [
        organizationId,
        textArray(keysOf(events, 'team')),
        textArray(keysOf(events, 'project')),
        textArray(keysOf(events, 'user')),
        textArray(events.map((e) => e.id)),
        plainArray(eventMetrics.items),
        plainArray(eventMetrics.index),
        plainArray(events.map((e) => iso(e.occurredAt))),
        plainArray(events.map((e) => e.quantity.toFixed())),
        plainArray(events.map((e) => e.rawQuantity.toFixed())),
        plainArray(accepted.map((a) => a.delta.toFixed())),
        plainArray(accepted.map((a) => a.cost.toFixed())),
        textArray(events.map((e) => e.team)),
        textArray(events.map((e) => e.project)),
        textArray(events.map((e) => e.user)),
        textArray(eventDimensions.items),
        plainArray(eventDimensions.index),
        plainArray(totals.map((t) => t.metricId)),
        plainArray(totals.map((t) => iso(t.periodStart))),
        plainArray(totals.map((t) => t.quantity.toFixed())),
        plainArray(totals.map((t) => t.cost.toFixed())),
        plainArray(totals.map((t) => t.eventCount)),
        plainArray(totals.map((t) => t.latestAt && iso(t.latestAt))),
        plainArray(totals.map((t) => t.latestQuantity?.toFixed() ?? null)),
        plainArray(cellMetrics.items),
        plainArray(cellMetrics.index),
        plainArray(cells.map((c) => iso(c.bucket))),
        textArray(cells.map((c) => c.team)),
        textArray(cells.map((c) => c.project)),
        textArray(cells.map((c) => c.user)),
        textArray(cellDimensions.items),
        plainArray(cellDimensions.index),
        plainArray(cells.map((c) => c.quantity.toFixed())),
        plainArray(cells.map((c) => c.cost.toFixed())),
        plainArray(cells.map((c) => c.events)),
        plainArray(cells.map((c) => c.maxQuantity.toFixed())),
        plainArray(cells.map((c) => iso(c.latestAt))),
        plainArray(cells.map((c) => c.latestQuantity.toFixed())),
        plainArray(prices.map((p) => p.metricId)),
        plainArray(prices.map((p) => iso(p.periodStart))),
        textArray(prices.map((p) => p.label)),
        plainArray(prices.map((p) => p.unitPrice)),
        plainArray(prices.map((p) => p.quantity.toFixed())),
        plainArray(prices.map((p) => p.cost.toFixed())),
        plainArray(uniques.map((u) => u.metricId)),
        plainArray(uniques.map((u) => iso(u.periodStart))),
        textArray(uniques.map((u) => u.value)),
        plainArray(gone.map((s) => s.id)),
        plainArray(kept.map((s) => s.id)),
        plainArray(kept.map((s) => s.metricId)),
        plainArray(kept.map((s) => iso(s.periodStart))),
        textArray(kept.map((s) => s.key)),
        plainArray(kept.map((s) => iso(s.startedAt))),
        plainArray(kept.map((s) => iso(s.lastAt))),
        rateWindow && iso(rateWindow),
        accepted.length,
        notifyChannel,
      ],
    });
  }
}

function keysOf(events: NormalizedEvent[], field: 'team' | 'project' | 'user'): string[] {
  return [...new Set(events.map((e) => e[field]).filter((v): v is string => v !== null))];
}
