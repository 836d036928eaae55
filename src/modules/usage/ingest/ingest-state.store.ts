import type { PoolClient } from 'pg';
import { namedStatement, plainArray, textArray } from '../../../common/database/pg-array';
import { Dec } from '../../../common/money/decimal';
import { Aggregation } from '../../metric/aggregation';
import { sessionGroupKey, totalKey, type SessionState, type TotalState } from './aggregator-state';
import { DailyPeaks, type DayReadings } from './daily-peaks';
import { eventKeyValue } from './event-validator';
import { isoWriter } from './iso-writer';
import type { NormalizedEvent } from './normalized-event';
import type { SpendWindow } from './spend-guard';

/** The organisation's stored state that a batch's events touch. */
export interface IngestState {
  known: Set<string>;
  totals: Map<string, TotalState>;
  periodCosts: Map<number, Dec>;
  uniqueSeen: Map<string, Set<string>>;
  sessions: Map<string, SessionState[]>;
  rateCount: number;
  /** Events accepted so far in the clock hour of the plan's requestsPerHour (0 without one). */
  rateHourCount: number;
  /** Cost of each hour of the spend windows asked for, by the ms of its start (hours without usage are missing). */
  hourCosts: Map<number, Dec>;
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
  /** [metric, period start, day, peak, close quantity, close at] */
  days: Array<[string, string, string, string, string, string]>;
  rate_count: number | null;
  rate_hour_count: string | null;
  /** [hour start, cost] */
  hour_costs: Array<[string, string]>;
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
    'dayMetric',
    'dayPeriod',
    'rateWindow',
    'rateHour',
    'spendFrom',
    'spendTo',
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
    (SELECT coalesce(json_agg(json_build_array(d.metric_id, d.period_start, d.day, d.peak::text, d.close_quantity::text, d.close_at)), '[]')
       FROM usage_daily_peaks d
       JOIN (SELECT DISTINCT * FROM unnest(${p.dayMetric}::uuid[], ${p.dayPeriod}::timestamptz[])) AS k(metric_id, period_start)
         ON d.metric_id = k.metric_id AND d.period_start = k.period_start
      WHERE d.organization_id = ${p.org}) AS days,
    (SELECT count FROM usage_rate_windows WHERE organization_id = ${p.org} AND window_start = ${p.rateWindow}) AS rate_count,
    (SELECT sum(count) FROM usage_rate_windows
      WHERE organization_id = ${p.org} AND window_start >= ${p.rateHour} AND window_start < ${p.rateHour}::timestamptz + interval '1 hour') AS rate_hour_count,
    (SELECT coalesce(json_agg(json_build_array(h.bucket_start, h.cost)), '[]')
       FROM (SELECT r.bucket_start, sum(r.cost)::text AS cost
               FROM unnest(${p.spendFrom}::timestamptz[], ${p.spendTo}::timestamptz[]) AS w(start, finish)
               JOIN usage_rollups r ON r.organization_id = ${p.org} AND r.bucket_start >= w.start AND r.bucket_start < w.finish
              GROUP BY r.bucket_start) h) AS hour_costs`,
);

/**
 * Ids already recorded, and the totals, distinct values, sessions, days of
 * readings, rate windows and hourly spend the candidates would change: one
 * prepared statement, one round trip.
 */
export async function readIngestState(
  client: PoolClient,
  organizationId: string,
  candidates: NormalizedEvent[],
  rateWindow: Date | null,
  rateHour: Date | null,
  spendWindows: readonly SpendWindow[],
): Promise<IngestState> {
  const iso = isoWriter();
  const uniques = candidates.filter((e) => e.metric.aggregation === Aggregation.UNIQUE_COUNT);
  const sessioned = candidates.filter((e) => e.metric.sessionIdleMinutes !== null);
  const readings = candidates.filter((e) => e.metric.aggregation === Aggregation.DAILY_PEAK_AVERAGE);
  const { rows } = await client.query<StateRow>({
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
      dayMetric: plainArray(readings.map((e) => e.metric.id)),
      dayPeriod: plainArray(readings.map((e) => iso(e.periodStart))),
      rateWindow: rateWindow && iso(rateWindow),
      rateHour: rateHour && iso(rateHour),
      spendFrom: plainArray(spendWindows.map((w) => iso(w.start))),
      spendTo: plainArray(spendWindows.map((w) => iso(w.end))),
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
      days: null,
      dirty: false,
    };
    totals.set(totalKey(metricId, periodStart), total);
    periodCosts.set(periodStart.getTime(), (periodCosts.get(periodStart.getTime()) ?? new Dec(0)).plus(total.cost));
  }

  const daysByTotal = new Map<string, DayReadings[]>();
  for (const [metricId, periodText, day, peak, close, closeAt] of row.days) {
    const key = totalKey(metricId, new Date(periodText));
    const list = daysByTotal.get(key) ?? [];
    list.push({ day: new Date(day), peak: new Dec(peak), close: new Dec(close), closeAt: new Date(closeAt) });
    daysByTotal.set(key, list);
  }
  for (const [key, days] of daysByTotal) {
    const total = totals.get(key);
    if (total) total.days = new DailyPeaks(total.periodStart, days);
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

  const hourCosts = new Map(row.hour_costs.map(([hour, cost]) => [new Date(hour).getTime(), new Dec(cost)]));
  return {
    known: new Set(row.known),
    totals,
    periodCosts,
    uniqueSeen,
    sessions,
    rateCount: row.rate_count ?? 0,
    rateHourCount: Number(row.rate_hour_count ?? 0),
    hourCosts,
  };
}
