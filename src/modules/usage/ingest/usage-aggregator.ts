import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../common/errors/error-code';
import { Dec, ZERO } from '../../../common/money/decimal';
import { Aggregation } from '../../metric/aggregation';
import type { ChargeRule } from '../../rating/charge-rule';
import { hasRateCard, marginalCost } from '../../rating/price-calculator';
import { priceLabel } from '../../rating/usage-lines';
import { DailyPeaks, type DayReadings } from './daily-peaks';
import { eventKeyValue } from './event-validator';
import {
  sessionGroupKey,
  totalKey,
  type AcceptedEvent,
  type AggregatorState,
  type PriceDelta,
  type RollupDelta,
  type SessionState,
  type TotalState,
} from './aggregator-state';
import { NestedMap } from './nested-map';
import { RejectionReason, type NormalizedEvent, type Rejection, type RejectionCode } from './normalized-event';

const HOUR = 3600 * 1000;

const rejection = (event: NormalizedEvent, code: RejectionCode, reason: RejectionReason, message: string): Rejection => ({
  index: event.index,
  id: event.id,
  code,
  reason,
  message,
});

/**
 * Applies events, in the order they were recorded, to the loaded state of an
 * organisation: aggregates, sessions, distinct values, quotas, budget and rate
 * limit. Pure and synchronous; the ingest service loads the state under a lock
 * and writes back what changed in a few set-based statements.
 */
export class UsageAggregator {
  readonly accepted: AcceptedEvent[] = [];
  readonly rejected: Rejection[] = [];
  readonly uniqueInserts: Array<{ metricId: string; periodStart: Date; value: string }> = [];
  // Cells are found through nested maps of their key's parts, not by a composite string: building and hashing a
  // hundred-character key per event was the aggregator's largest single cost.
  private readonly rollups = new NestedMap<RollupDelta>();
  private readonly prices = new NestedMap<PriceDelta>();
  /** A metric's rate-card price for a set of dimensions: a batch repeats few sets. */
  private readonly pricesByDimensions = new NestedMap<{ label: string; price: string | null }>();

  constructor(private readonly state: AggregatorState) {}

  get rollupDeltas(): RollupDelta[] {
    return this.rollups.values;
  }

  get priceDeltas(): PriceDelta[] {
    return this.prices.values;
  }

  get dirtyTotals(): TotalState[] {
    return [...this.state.totals.values()].filter((t) => t.dirty);
  }

  /** Usage cost of each period the batch touched, after it. */
  get periodCosts(): Map<number, Dec> {
    const touched = new Set(this.accepted.map((a) => a.event.periodStart.getTime()));
    return new Map([...this.state.periodCosts].filter(([period]) => touched.has(period)));
  }

  /** The days of DAILY_PEAK_AVERAGE metrics whose readings the batch changed. */
  get changedDays(): Array<{ metricId: string; periodStart: Date; days: DayReadings[] }> {
    return this.dirtyTotals.flatMap((t) => (t.days ? [{ metricId: t.metricId, periodStart: t.periodStart, days: t.days.changed }] : []));
  }

  get changedSessions(): SessionState[] {
    return [...this.state.sessions.values()].flat().filter((s) => s.state !== 'loaded');
  }

  apply(event: NormalizedEvent): AcceptedEvent | Rejection {
    const result = this.evaluate(event);
    if ('reason' in result) this.rejected.push(result);
    else this.accepted.push(result);
    return result;
  }

  private evaluate(event: NormalizedEvent): AcceptedEvent | Rejection {
    const { metric } = event;
    const state = this.state;
    if (state.rateAllowance !== null && state.rateAllowance <= 0) {
      return {
        ...rejection(event, ErrorCode.RATE_LIMITED, RejectionReason.RATE_LIMITED, "The plan's requests per minute or per hour are used up"),
        retryAfterSeconds: state.spend?.retryAfter(RejectionReason.RATE_LIMITED, event) ?? null,
      };
    }
    const periodMs = event.periodStart.getTime();
    const periodCost = state.periodCosts.get(periodMs) ?? ZERO;

    const key = totalKey(metric.id, event.periodStart);
    const total = state.totals.get(key) ?? this.newTotal(metric.id, event.periodStart);
    const charge = state.charges.get(metric.id);
    const before = total.quantity;
    const q = event.quantity;
    let after: Dec;
    let commitAggregate: () => void = () => undefined;

    switch (metric.aggregation) {
      case Aggregation.SUM:
        after = before.plus(q);
        break;
      case Aggregation.MAX:
        after = Dec.max(before, q);
        break;
      case Aggregation.LATEST: {
        const newer = total.latestAt === null || event.occurredAt >= total.latestAt;
        after = newer ? q : before;
        if (newer) {
          commitAggregate = () => {
            total.latestAt = event.occurredAt;
            total.latestQuantity = q;
          };
        }
        break;
      }
      case Aggregation.UNIQUE_COUNT: {
        const value = eventKeyValue(event, metric.uniqueBy!)!;
        const seen = state.uniqueSeen.get(key) ?? new Set<string>();
        const isNew = !seen.has(value);
        after = isNew ? before.plus(1) : before;
        if (isNew) {
          commitAggregate = () => {
            seen.add(value);
            state.uniqueSeen.set(key, seen);
            this.uniqueInserts.push({ metricId: metric.id, periodStart: event.periodStart, value });
          };
        }
        break;
      }
      case Aggregation.DAILY_PEAK_AVERAGE: {
        const days = total.days ?? new DailyPeaks(event.periodStart);
        const reading = days.plan(event.occurredAt, q);
        after = reading.after;
        commitAggregate = () => {
          reading.commit();
          total.days = days;
        };
        break;
      }
      case Aggregation.COUNT: {
        if (metric.sessionIdleMinutes === null) {
          after = before.plus(1);
          break;
        }
        const session = this.planSession(event);
        after = before.plus(session.delta);
        commitAggregate = session.commit;
        break;
      }
    }

    const delta = after.minus(before);
    if (charge?.hardLimit && charge.limit !== null && delta.greaterThan(0) && after.greaterThan(charge.limit)) {
      const what = metric.sessionIdleMinutes !== null ? 'New sessions are refused; open ones continue' : 'Usage past the limit is refused';
      return rejection(
        event,
        ErrorCode.QUOTA_EXCEEDED,
        RejectionReason.HARD_LIMIT,
        `${metric.code} reached its limit of ${charge.limit} for the period. ${what}.`,
      );
    }

    let cost = ZERO;
    let priced: { label: string; price: string | null } | null = null;
    if (charge) {
      priced = hasRateCard(charge) ? this.priceFor(charge, event) : null;
      const unitPrice = priced ? priced.price : charge.unitPrice;
      if (priced && unitPrice === null) {
        return rejection(
          event,
          ErrorCode.BAD_USER_INPUT,
          RejectionReason.UNPRICED_DIMENSIONS,
          `The plan has no price for ${metric.code} with ${JSON.stringify(event.dimensions)}`,
        );
      }
      cost = marginalCost(charge, before, after, unitPrice);
    }
    const refused = state.spend?.admit(event, cost, periodCost);
    if (refused) return refused;

    commitAggregate();
    total.quantity = after;
    total.cost = total.cost.plus(cost);
    total.eventCount += 1;
    total.dirty = true;
    state.totals.set(key, total);
    state.periodCosts.set(periodMs, periodCost.plus(cost));
    if (state.rateAllowance !== null) state.rateAllowance -= 1;
    this.addRollup(event, delta, cost);
    if (priced) this.addPrice(event, priced, delta, cost);
    return { event, delta, cost };
  }

  /**
   * Sessions: an event joins every session it falls within `idle` of; none
   * starts one, several are merged into one (late events can bridge a gap).
   */
  private planSession(event: NormalizedEvent): { delta: number; commit: () => void } {
    const { metric } = event;
    const idle = metric.sessionIdleMinutes! * 60_000;
    const value = eventKeyValue(event, metric.sessionKey!)!;
    const group = sessionGroupKey(metric.id, event.periodStart, value);
    const list = this.state.sessions.get(group) ?? [];
    const t = event.occurredAt.getTime();
    const matches = list.filter((s) => s.state !== 'deleted' && t >= s.startedAt.getTime() - idle && t <= s.lastAt.getTime() + idle);

    if (matches.length === 0) {
      return {
        delta: 1,
        commit: () => {
          list.push({
            id: randomUUID(),
            metricId: metric.id,
            periodStart: event.periodStart,
            key: value,
            startedAt: event.occurredAt,
            lastAt: event.occurredAt,
            state: 'new',
          });
          this.state.sessions.set(group, list);
        },
      };
    }
    return {
      delta: 1 - matches.length,
      commit: () => {
        const [keep, ...merged] = matches.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()) as [
          SessionState,
          ...SessionState[],
        ];
        for (const s of [keep, ...merged]) {
          if (s.startedAt.getTime() < keep.startedAt.getTime()) keep.startedAt = s.startedAt;
          if (s.lastAt.getTime() > keep.lastAt.getTime()) keep.lastAt = s.lastAt;
        }
        if (t < keep.startedAt.getTime()) keep.startedAt = event.occurredAt;
        if (t > keep.lastAt.getTime()) keep.lastAt = event.occurredAt;
        if (keep.state === 'loaded') keep.state = 'changed';
        for (const s of merged) s.state = 'deleted';
      },
    };
  }

  private priceFor(charge: ChargeRule, event: NormalizedEvent): { label: string; price: string | null } {
    const key = [event.metric.id, event.dimensionsJson];
    let priced = this.pricesByDimensions.get(key);
    if (!priced) {
      priced = priceLabel(charge, event.dimensions);
      this.pricesByDimensions.add(key, priced);
    }
    return priced;
  }

  private newTotal(metricId: string, periodStart: Date): TotalState {
    return {
      metricId,
      periodStart,
      quantity: ZERO,
      cost: ZERO,
      eventCount: 0,
      latestAt: null,
      latestQuantity: null,
      days: null,
      dirty: false,
    };
  }

  private addPrice(event: NormalizedEvent, priced: { label: string; price: string | null }, delta: Dec, cost: Dec): void {
    const key = [event.metric.id, event.periodStart.getTime(), priced.label];
    const cell = this.prices.get(key);
    if (cell) {
      cell.quantity = cell.quantity.plus(delta);
      cell.cost = cell.cost.plus(cost);
    } else {
      this.prices.add(key, {
        metricId: event.metric.id,
        periodStart: event.periodStart,
        label: priced.label,
        unitPrice: priced.price,
        quantity: delta,
        cost,
      });
    }
  }

  private addRollup(event: NormalizedEvent, delta: Dec, cost: Dec): void {
    const bucketMs = Math.floor(event.occurredAt.getTime() / HOUR) * HOUR;
    const dimensions = event.dimensionsJson;
    const team = event.team ?? '';
    const project = event.project ?? '';
    const user = event.user ?? '';
    const key = [event.metric.id, bucketMs, team, project, user, dimensions];
    const cell = this.rollups.get(key);
    if (!cell) {
      this.rollups.add(key, {
        metricId: event.metric.id,
        bucket: new Date(bucketMs),
        team,
        project,
        user,
        dimensions,
        quantity: delta,
        cost,
        events: 1,
        maxQuantity: event.quantity,
        latestAt: event.occurredAt,
        latestQuantity: event.quantity,
      });
      return;
    }
    cell.quantity = cell.quantity.plus(delta);
    cell.cost = cell.cost.plus(cost);
    cell.events += 1;
    if (event.quantity.greaterThan(cell.maxQuantity)) cell.maxQuantity = event.quantity;
    if (event.occurredAt >= cell.latestAt) {
      cell.latestAt = event.occurredAt;
      cell.latestQuantity = event.quantity;
    }
  }
}
