import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { namedStatement } from '../../common/database/pg-array';
import { connectionOf } from '../../common/database/pg-driver';
import { organizationNotFound } from '../../common/errors/common-error';
import { Dec } from '../../common/money/decimal';
import { ErrorCode } from '../../common/errors/error-code';
import { SubscriptionStatus } from '../subscription/plan-subscription.entity';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { validateEvent, type RawUsageEvent } from './ingest/event-validator';
import { admitEntitled } from './ingest/entitlement-gate';
import { IngestStore } from './ingest/ingest-store';
import { RejectionReason, type NormalizedEvent, type Rejection } from './ingest/normalized-event';
import type { RollupDelta, TotalState } from './ingest/aggregator-state';
import { UsageAggregator } from './ingest/usage-aggregator';
import { rateAllowance, rateHourOf, rateWindowOf } from './ingest/rate-windows';
import { blockingLimits, SpendGuard, spendWindows } from './ingest/spend-guard';
import type { PlanTerms, RatingCatalog } from '../rating/rating-catalog';
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
  /** The budget cost alerts measure against: the spend controls', else the plan's. */
  budget: string | null;
  totals: TotalState[];
  periodCosts: ReadonlyMap<number, Dec>;
  /** What the batch added to each rollup cell: the change behind `totals` and `periodCosts`, by hour, team and project. */
  readonly rollups: readonly RollupDelta[];
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

/**
 * A batch of up to 10,000 events is validated and aggregated in steps of this many, with other requests served in
 * between: a worker's event loop is never held by one batch for long (batches of 1,000 never pause).
 */
const YIELD_EVERY = 2_000;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The start of the organisation's first invoiced period, if any. */
const FIRST_INVOICED = namedStatement(
  ['organizationId'],
  (p) => `SELECT min(period_start) AS first FROM invoices WHERE organization_id = ${p.organizationId}`,
);

/**
 * Records a batch of one organisation's events in one transaction: each
 * organisation's batches are serialised by an advisory lock (across nodes),
 * its state is read in one query, the events are applied in memory and
 * everything changed is written back in one set-based statement (see IngestStore). A retry after
 * a crash finds either all of a batch or none of it.
 */
export class UsageIngestService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
    private readonly bus: ChangeBus,
  ) {}

  private readonly listeners: IngestListener[] = [];

  addListener(listener: IngestListener): void {
    this.listeners.push(listener);
  }

  async record(principal: Principal, organizationIdInput: string, events: RawUsageEvent[]): Promise<RecordUsageResult> {
    const organizationId = authorizeTenant(principal, Permission.RECORD_USAGE, organizationIdInput);
    if (events.length > MAX_BATCH) throw new UsageError(UsageErrorReason.BATCH_TOO_LARGE, `A batch holds at most ${MAX_BATCH} events`);
    const after: Array<() => Promise<void>> = [];
    const result = await this.db.transaction((tx) => this.recordInTransaction(tx, organizationId, events, after));
    if (result.accepted > 0) await this.bus.afterCommitAll([organizationId]);
    for (const task of after) await task();
    return result;
  }

  private async recordInTransaction(
    tx: EntityManager,
    organizationId: string,
    inputs: RawUsageEvent[],
    after: Array<() => Promise<void>>,
  ): Promise<RecordUsageResult> {
    const store = new IngestStore(await connectionOf(tx));
    const context = await store.lockAndLoadContext(organizationId);
    if (!context) throw organizationNotFound(organizationId);
    if (context.closed || context.subscription?.status === SubscriptionStatus.CANCELED) {
      throw new UsageError(UsageErrorReason.ACCOUNT_CLOSED, 'The account is closed or its subscription ended: no new usage is recorded');
    }
    const openSince = context.subscription?.currentPeriodStart;
    const result: RecordUsageResult = { accepted: 0, duplicates: 0, rejected: [] };
    if (inputs.length === 0) return result;

    const metrics = await this.catalog.metricsFor(new Set(inputs.map((e) => e.metric)), tx);
    const candidates: NormalizedEvent[] = [];
    const seenInBatch = new Set<string>();
    const closedPeriods: Array<{ rejection: Rejection; periodStart: Date }> = [];
    for (const [index, input] of inputs.entries()) {
      if (index > 0 && index % YIELD_EVERY === 0) await yieldToEventLoop();
      const event = validateEvent(input, index, metrics, context.now);
      if ('reason' in event) result.rejected.push(event);
      else if (openSince && event.periodStart < openSince) {
        const rejection: Rejection = {
          index,
          id: event.id,
          code: ErrorCode.BAD_USER_INPUT,
          reason: RejectionReason.PERIOD_CLOSED,
          message: '',
        };
        closedPeriods.push({ rejection, periodStart: event.periodStart });
        result.rejected.push(rejection);
      } else if (seenInBatch.has(event.id)) result.duplicates += 1;
      else {
        seenInBatch.add(event.id);
        candidates.push(event);
      }
    }
    if (closedPeriods.length) await this.explainClosedPeriods(tx, organizationId, closedPeriods);
    if (candidates.length === 0) return this.finish(result);

    const terms = context.subscription ? await this.catalog.planTerms(context.subscription.planId, tx) : null;
    const plan = terms?.plan;
    const windowStart = rateWindowOf(plan, context.now);
    // An auto-paused budget (the controls', else the plan's) is a hard cap: the event that would pass it is refused.
    const limits = blockingLimits(context.controls, plan ?? null);
    const state = await store.loadState(
      organizationId,
      candidates,
      windowStart,
      rateHourOf(plan, context.now),
      spendWindows(limits, candidates),
    );
    const unseen = candidates.filter((e) => !state.known.has(e.id));
    result.duplicates += candidates.length - unseen.length;
    const fresh = admitEntitled(unseen, terms, context.featureOverrides, result.rejected);
    if (fresh.length === 0) return this.finish(result);

    const rate = rateAllowance(plan, state.rateCount, state.rateHourCount, context.now);
    const aggregator = new UsageAggregator({
      charges: terms?.charges ?? new Map(),
      totals: state.totals,
      periodCosts: state.periodCosts,
      uniqueSeen: state.uniqueSeen,
      sessions: state.sessions,
      rateAllowance: rate.allowance,
      spend: new SpendGuard(limits, state.hourCosts, context.now, rate.resetsAt),
    });
    for (const [i, event] of fresh.entries()) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      aggregator.apply(event);
    }
    result.rejected.push(...aggregator.rejected);
    result.accepted = aggregator.accepted.length;
    if (result.accepted > 0) {
      // With PostgreSQL's bus the NOTIFY rides in the write statement; Redis publishes after commit.
      await store.write(organizationId, aggregator, windowStart, this.bus.notifyChannel);
      const batch: IngestedBatch = {
        organizationId,
        now: context.now,
        currency: context.currency,
        terms,
        budget: context.controls?.monthlyBudget ?? plan?.monthlyBudget ?? null,
        totals: aggregator.dirtyTotals,
        periodCosts: aggregator.periodCosts,
        rollups: aggregator.rollupDeltas,
      };
      for (const listener of this.listeners) {
        const task = await listener.afterIngest(tx, batch);
        if (task) after.push(task);
      }
    }
    return this.finish(result);
  }

  /**
   * An event before the open period falls in a period that was closed and invoiced, or in one before the
   * organisation's first: said apart, read only when a batch has such events (never on the common path).
   */
  private async explainClosedPeriods(
    tx: EntityManager,
    organizationId: string,
    closed: Array<{ rejection: Rejection; periodStart: Date }>,
  ): Promise<void> {
    const rows = await tx.query<Array<{ first: Date | null }>>(FIRST_INVOICED.text, FIRST_INVOICED.values({ organizationId }));
    const first = rows[0]?.first ?? null;
    for (const { rejection, periodStart } of closed) {
      rejection.message =
        first && periodStart >= first
          ? `The period of ${periodStart.toISOString().slice(0, 7)} is closed and invoiced`
          : `The period of ${periodStart.toISOString().slice(0, 7)} is before the organization's first billing period`;
    }
  }

  private finish(result: RecordUsageResult): RecordUsageResult {
    result.rejected.sort((a, b) => a.index - b.index);
    return result;
  }
}
