import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { copyRows } from '../../common/database/copy';
import { assertId } from '../../common/errors/common-error';
import { Dec, ZERO } from '../../common/money/decimal';
import { ErrorCode } from '../../common/errors/error-code';
import { Aggregation } from '../metric/aggregation';
import { SubscriptionStatus } from '../subscription/plan-subscription.entity';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import type { OrganizationService } from '../organization/organization.service';
import { loadBillingContext } from './billing-context';
import { eventKeyValue, validateEvent, type RawUsageEvent } from './ingest/event-validator';
import { RejectionReason, type NormalizedEvent, type Rejection } from './ingest/normalized-event';
import { sessionGroupKey, totalKey, UsageAggregator, type SessionState, type TotalState } from './ingest/usage-aggregator';
import type { PlanTerms, UsageCatalog } from './usage-catalog';
import { UsageError, UsageErrorReason } from './usage.error';

export const MAX_BATCH = 10_000;
/** Channel on which a commit that changed an organisation's usage is announced (payload: its id). */
export const USAGE_CHANNEL = 'meterly_usage';

/** What a committed batch changed, for modules that react to usage (alerts). */
export interface IngestedBatch {
  organizationId: string;
  now: Date;
  currency: string;
  terms: PlanTerms | null;
  totals: TotalState[];
  periodCosts: ReadonlyMap<number, Dec>;
}

/** Runs inside the ingest transaction; may return work to do once it has committed. */
export interface IngestListener {
  afterIngest(tx: EntityManager, batch: IngestedBatch): Promise<(() => Promise<void>) | void>;
}

export interface RecordUsageResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

const MINUTE = 60_000;

/**
 * Records a batch of one organisation's events in one transaction: each
 * organisation's batches are serialised by an advisory lock (across nodes),
 * its state is read in a few queries, the events are applied in memory and
 * everything changed is written back with set-based statements. A retry after
 * a crash finds either all of a batch or none of it.
 */
export class UsageIngestService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: UsageCatalog,
    private readonly organizations: OrganizationService,
    private readonly bus: ChangeBus,
  ) {}

  private readonly listeners: IngestListener[] = [];

  addListener(listener: IngestListener): void {
    this.listeners.push(listener);
  }

  async record(principal: Principal, organizationIdInput: string, events: RawUsageEvent[]): Promise<RecordUsageResult> {
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.RECORD_USAGE, organizationId);
    if (events.length > MAX_BATCH) throw new UsageError(UsageErrorReason.BATCH_TOO_LARGE, `A batch holds at most ${MAX_BATCH} events`);
    const after: Array<() => Promise<void>> = [];
    const result = await this.db.transaction((tx) => this.recordInTransaction(tx, organizationId, events, after));
    if (result.accepted > 0) await this.bus.afterCommit(organizationId);
    for (const task of after) await task();
    return result;
  }

  private async recordInTransaction(
    tx: EntityManager,
    organizationId: string,
    inputs: RawUsageEvent[],
    after: Array<() => Promise<void>>,
  ): Promise<RecordUsageResult> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [organizationId]);
    const context = await loadBillingContext(tx, organizationId, true);
    if (!context) throw new UsageError(UsageErrorReason.ORGANIZATION_NOT_FOUND, `Organization ${organizationId} does not exist`);
    if (context.organization.closedAt || context.subscription?.status === SubscriptionStatus.CANCELED) {
      throw new UsageError(UsageErrorReason.ACCOUNT_CLOSED, 'The account is closed or its subscription ended: no new usage is recorded');
    }
    const openSince = context.subscription?.currentPeriodStart;
    const result: RecordUsageResult = { accepted: 0, duplicates: 0, rejected: [] };
    if (inputs.length === 0) return result;

    const metrics = await this.catalog.metricsFor(new Set(inputs.map((e) => e.metric)), tx);
    const candidates: NormalizedEvent[] = [];
    const seenInBatch = new Set<string>();
    inputs.forEach((input, index) => {
      const event = validateEvent(input, index, metrics, context.now);
      if ('reason' in event) result.rejected.push(event);
      else if (openSince && event.periodStart < openSince) {
        result.rejected.push({
          index,
          id: event.id,
          code: ErrorCode.BAD_USER_INPUT,
          reason: RejectionReason.PERIOD_CLOSED,
          message: 'That period is closed and invoiced',
        });
      } else if (seenInBatch.has(event.id)) result.duplicates += 1;
      else {
        seenInBatch.add(event.id);
        candidates.push(event);
      }
    });

    const known = await this.existingIds(
      tx,
      organizationId,
      candidates.map((e) => e.id),
    );
    const fresh = candidates.filter((e) => !known.has(e.id));
    result.duplicates += candidates.length - fresh.length;
    if (fresh.length === 0) return this.finish(result);

    const terms = context.subscription ? await this.catalog.planTerms(context.subscription.planId, tx) : null;
    const windowStart = new Date(Math.floor(context.now.getTime() / MINUTE) * MINUTE);
    const aggregator = new UsageAggregator({
      charges: terms?.charges ?? new Map(),
      totals: await this.loadTotals(tx, organizationId, fresh),
      periodCosts: await this.loadPeriodCosts(tx, organizationId, fresh),
      uniqueSeen: await this.loadUniqueSeen(tx, organizationId, fresh),
      sessions: await this.loadSessions(tx, organizationId, fresh),
      budget: terms?.plan.monthlyBudget ? { amount: new Dec(terms.plan.monthlyBudget), autoPause: terms.plan.autoPauseAtBudget } : null,
      rateAllowance: terms?.plan.requestsPerMinute
        ? terms.plan.requestsPerMinute - (await this.rateCount(tx, organizationId, windowStart))
        : null,
    });
    for (const event of fresh) aggregator.apply(event);
    result.rejected.push(...aggregator.rejected);
    result.accepted = aggregator.accepted.length;
    if (result.accepted > 0) {
      await this.write(tx, organizationId, aggregator, terms?.plan.requestsPerMinute ? windowStart : null);
      await this.bus.announce(tx, organizationId);
      const batch: IngestedBatch = {
        organizationId,
        now: context.now,
        currency: context.organization.currency,
        terms,
        totals: aggregator.dirtyTotals,
        periodCosts: aggregator.periodCosts,
      };
      for (const listener of this.listeners) {
        const task = await listener.afterIngest(tx, batch);
        if (task) after.push(task);
      }
    }
    return this.finish(result);
  }

  private finish(result: RecordUsageResult): RecordUsageResult {
    result.rejected.sort((a, b) => a.index - b.index);
    return result;
  }

  private async existingIds(tx: EntityManager, organizationId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ event_id: string }> = await tx.query(
      'SELECT event_id FROM usage_event_keys WHERE organization_id = $1 AND event_id = ANY($2::text[])',
      [organizationId, ids],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  private async loadTotals(tx: EntityManager, organizationId: string, events: NormalizedEvent[]): Promise<Map<string, TotalState>> {
    const pairs = uniquePairs(events.map((e) => [e.metric.id, e.periodStart.toISOString()]));
    const rows: Array<{
      metric_id: string;
      period_start: Date;
      quantity: string;
      cost: string;
      event_count: string;
      latest_at: Date | null;
      latest_quantity: string | null;
    }> = await tx.query(
      `SELECT t.metric_id, t.period_start, t.quantity, t.cost, t.event_count, t.latest_at, t.latest_quantity
           FROM usage_totals t JOIN unnest($2::uuid[], $3::timestamptz[]) AS k(metric_id, period_start)
             ON t.metric_id = k.metric_id AND t.period_start = k.period_start
          WHERE t.organization_id = $1`,
      [organizationId, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    return new Map(
      rows.map((r) => [
        totalKey(r.metric_id, r.period_start),
        {
          metricId: r.metric_id,
          periodStart: r.period_start,
          quantity: new Dec(r.quantity),
          cost: new Dec(r.cost),
          eventCount: Number(r.event_count),
          latestAt: r.latest_at,
          latestQuantity: r.latest_quantity === null ? null : new Dec(r.latest_quantity),
          dirty: false,
        },
      ]),
    );
  }

  private async loadPeriodCosts(tx: EntityManager, organizationId: string, events: NormalizedEvent[]): Promise<Map<number, Dec>> {
    const periods = [...new Set(events.map((e) => e.periodStart.toISOString()))];
    const rows: Array<{ period_start: Date; cost: string }> = await tx.query(
      'SELECT period_start, sum(cost) AS cost FROM usage_totals WHERE organization_id = $1 AND period_start = ANY($2::timestamptz[]) GROUP BY period_start',
      [organizationId, periods],
    );
    return new Map(rows.map((r) => [r.period_start.getTime(), new Dec(r.cost ?? ZERO)]));
  }

  private async loadUniqueSeen(tx: EntityManager, organizationId: string, events: NormalizedEvent[]): Promise<Map<string, Set<string>>> {
    const triples = events
      .filter((e) => e.metric.aggregation === Aggregation.UNIQUE_COUNT)
      .map((e) => [e.metric.id, e.periodStart.toISOString(), eventKeyValue(e, e.metric.uniqueBy!)!] as const);
    const seen = new Map<string, Set<string>>();
    if (triples.length === 0) return seen;
    const rows: Array<{ metric_id: string; period_start: Date; value: string }> = await tx.query(
      `SELECT v.metric_id, v.period_start, v.value
         FROM usage_unique_values v JOIN unnest($2::uuid[], $3::timestamptz[], $4::text[]) AS k(metric_id, period_start, value)
           ON v.metric_id = k.metric_id AND v.period_start = k.period_start AND v.value = k.value
        WHERE v.organization_id = $1`,
      [organizationId, triples.map((t) => t[0]), triples.map((t) => t[1]), triples.map((t) => t[2])],
    );
    for (const r of rows) {
      const key = totalKey(r.metric_id, r.period_start);
      seen.set(key, (seen.get(key) ?? new Set()).add(r.value));
    }
    return seen;
  }

  private async loadSessions(tx: EntityManager, organizationId: string, events: NormalizedEvent[]): Promise<Map<string, SessionState[]>> {
    const triples = events
      .filter((e) => e.metric.sessionIdleMinutes !== null)
      .map((e) => [e.metric.id, e.periodStart.toISOString(), eventKeyValue(e, e.metric.sessionKey!)!] as const);
    const sessions = new Map<string, SessionState[]>();
    if (triples.length === 0) return sessions;
    const rows: Array<{ id: string; metric_id: string; period_start: Date; session_key: string; started_at: Date; last_at: Date }> =
      await tx.query(
        `SELECT s.id, s.metric_id, s.period_start, s.session_key, s.started_at, s.last_at
         FROM usage_sessions s JOIN (SELECT DISTINCT * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[])) AS k(metric_id, period_start, session_key)
           ON s.metric_id = k.metric_id AND s.period_start = k.period_start AND s.session_key = k.session_key
        WHERE s.organization_id = $1`,
        [organizationId, triples.map((t) => t[0]), triples.map((t) => t[1]), triples.map((t) => t[2])],
      );
    for (const r of rows) {
      const key = sessionGroupKey(r.metric_id, r.period_start, r.session_key);
      const list = sessions.get(key) ?? [];
      list.push({
        id: r.id,
        metricId: r.metric_id,
        periodStart: r.period_start,
        key: r.session_key,
        startedAt: r.started_at,
        lastAt: r.last_at,
        state: 'loaded',
      });
      sessions.set(key, list);
    }
    return sessions;
  }

  private async rateCount(tx: EntityManager, organizationId: string, windowStart: Date): Promise<number> {
    const rows: Array<{ count: number }> = await tx.query(
      'SELECT count FROM usage_rate_windows WHERE organization_id = $1 AND window_start = $2',
      [organizationId, windowStart],
    );
    return rows[0]?.count ?? 0;
  }

  private async write(tx: EntityManager, organizationId: string, aggregator: UsageAggregator, rateWindow: Date | null): Promise<void> {
    const accepted = aggregator.accepted;
    const events = accepted.map((a) => a.event);
    await this.organizations.ensureKeys(
      organizationId,
      { teams: keysOf(events, 'team'), projects: keysOf(events, 'project'), users: keysOf(events, 'user') },
      tx,
    );
    // Ids were checked under the organisation's lock: plain bulk loads, no conflicts to handle.
    await copyRows(
      tx,
      'COPY usage_event_keys (organization_id, event_id) FROM STDIN',
      events.map((e) => [organizationId, e.id]),
    );
    await copyRows(
      tx,
      'COPY usage_events (organization_id, event_id, metric_id, occurred_at, quantity, raw_quantity, delta, cost, team, project, user_key, dimensions) FROM STDIN',
      accepted.map(({ event: e, delta, cost }) => [
        organizationId,
        e.id,
        e.metric.id,
        iso(e.occurredAt),
        e.quantity.toFixed(),
        e.rawQuantity.toFixed(),
        delta.toFixed(),
        cost.toFixed(),
        e.team,
        e.project,
        e.user,
        JSON.stringify(e.dimensions),
      ]),
    );

    const totals = aggregator.dirtyTotals;
    await tx.query(
      `INSERT INTO usage_totals (organization_id, metric_id, period_start, quantity, cost, event_count, latest_at, latest_quantity, updated_at)
       SELECT $1, *, now() FROM unnest($2::uuid[], $3::timestamptz[], $4::numeric[], $5::numeric[], $6::bigint[], $7::timestamptz[], $8::numeric[])
       ON CONFLICT (organization_id, metric_id, period_start) DO UPDATE SET
         quantity = EXCLUDED.quantity, cost = EXCLUDED.cost, event_count = EXCLUDED.event_count,
         latest_at = EXCLUDED.latest_at, latest_quantity = EXCLUDED.latest_quantity, updated_at = now()`,
      [
        organizationId,
        totals.map((t) => t.metricId),
        totals.map((t) => iso(t.periodStart)),
        totals.map((t) => t.quantity.toFixed()),
        totals.map((t) => t.cost.toFixed()),
        totals.map((t) => t.eventCount),
        totals.map((t) => t.latestAt && iso(t.latestAt)),
        totals.map((t) => t.latestQuantity?.toFixed() ?? null),
      ],
    );

    const cells = aggregator.rollupDeltas;
    await tx.query(
      `INSERT INTO usage_rollups (organization_id, metric_id, bucket_start, team, project, user_key, dimensions, quantity, cost, event_count, max_quantity, latest_at, latest_quantity)
       SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::numeric[], $9::numeric[], $10::bigint[], $11::numeric[], $12::timestamptz[], $13::numeric[])
       ON CONFLICT (organization_id, metric_id, bucket_start, team, project, user_key, dimensions) DO UPDATE SET
         quantity = usage_rollups.quantity + EXCLUDED.quantity,
         cost = usage_rollups.cost + EXCLUDED.cost,
         event_count = usage_rollups.event_count + EXCLUDED.event_count,
         max_quantity = GREATEST(usage_rollups.max_quantity, EXCLUDED.max_quantity),
         latest_quantity = CASE WHEN EXCLUDED.latest_at >= usage_rollups.latest_at THEN EXCLUDED.latest_quantity ELSE usage_rollups.latest_quantity END,
         latest_at = GREATEST(usage_rollups.latest_at, EXCLUDED.latest_at)`,
      [
        organizationId,
        cells.map((c) => c.metricId),
        cells.map((c) => iso(c.bucket)),
        cells.map((c) => c.team),
        cells.map((c) => c.project),
        cells.map((c) => c.user),
        cells.map((c) => c.dimensions),
        cells.map((c) => c.quantity.toFixed()),
        cells.map((c) => c.cost.toFixed()),
        cells.map((c) => c.events),
        cells.map((c) => c.maxQuantity.toFixed()),
        cells.map((c) => iso(c.latestAt)),
        cells.map((c) => c.latestQuantity.toFixed()),
      ],
    );

    const prices = aggregator.priceDeltas;
    if (prices.length) {
      await tx.query(
        `INSERT INTO usage_price_totals (organization_id, metric_id, period_start, label, unit_price, quantity, cost)
         SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[])
         ON CONFLICT (organization_id, metric_id, period_start, label) DO UPDATE SET
           quantity = usage_price_totals.quantity + EXCLUDED.quantity, cost = usage_price_totals.cost + EXCLUDED.cost`,
        [
          organizationId,
          prices.map((p) => p.metricId),
          prices.map((p) => iso(p.periodStart)),
          prices.map((p) => p.label),
          prices.map((p) => p.unitPrice),
          prices.map((p) => p.quantity.toFixed()),
          prices.map((p) => p.cost.toFixed()),
        ],
      );
    }

    const uniques = aggregator.uniqueInserts;
    if (uniques.length) {
      await tx.query(
        'INSERT INTO usage_unique_values (organization_id, metric_id, period_start, value) SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[])',
        [organizationId, uniques.map((u) => u.metricId), uniques.map((u) => iso(u.periodStart)), uniques.map((u) => u.value)],
      );
    }

    const sessions = aggregator.changedSessions;
    const gone = sessions.filter((s) => s.state === 'deleted').map((s) => s.id);
    const kept = sessions.filter((s) => s.state === 'new' || s.state === 'changed');
    if (gone.length) await tx.query('DELETE FROM usage_sessions WHERE id = ANY($1::uuid[])', [gone]);
    if (kept.length) {
      await tx.query(
        `INSERT INTO usage_sessions (id, organization_id, metric_id, period_start, session_key, started_at, last_at)
         SELECT k.id, $1, k.metric_id, k.period_start, k.session_key, k.started_at, k.last_at
           FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::timestamptz[]) AS k(id, metric_id, period_start, session_key, started_at, last_at)
         ON CONFLICT (id) DO UPDATE SET started_at = EXCLUDED.started_at, last_at = EXCLUDED.last_at`,
        [
          organizationId,
          kept.map((s) => s.id),
          kept.map((s) => s.metricId),
          kept.map((s) => iso(s.periodStart)),
          kept.map((s) => s.key),
          kept.map((s) => iso(s.startedAt)),
          kept.map((s) => iso(s.lastAt)),
        ],
      );
    }

    if (rateWindow) {
      await tx.query(
        `INSERT INTO usage_rate_windows (organization_id, window_start, count) VALUES ($1, $2, $3)
         ON CONFLICT (organization_id, window_start) DO UPDATE SET count = usage_rate_windows.count + EXCLUDED.count`,
        [organizationId, rateWindow, accepted.length],
      );
      await tx.query(`DELETE FROM usage_rate_windows WHERE organization_id = $1 AND window_start < $2::timestamptz - interval '1 hour'`, [
        organizationId,
        rateWindow,
      ]);
    }
  }
}

/** pg's own Date formatting is slow; ISO text is exact and cheaper for large arrays. */
const iso = (date: Date): string => date.toISOString();

function uniquePairs(pairs: Array<[string, string]>): Array<[string, string]> {
  return [...new Map(pairs.map((p) => [p.join('|'), p])).values()];
}

function keysOf(events: NormalizedEvent[], field: 'team' | 'project' | 'user'): string[] {
  return [...new Set(events.map((e) => e[field]).filter((v): v is string => v !== null))];
}
