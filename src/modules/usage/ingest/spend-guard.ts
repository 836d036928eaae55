import { ErrorCode } from '../../../common/errors/error-code';
import { Dec, ZERO } from '../../../common/money/decimal';
import { monthPeriod } from '../../../common/time/billing-period';
import { RejectionReason, type NormalizedEvent, type Rejection } from './normalized-event';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** An organisation's spend controls as ingestion reads them with its context (amounts as text; null: the default). */
export interface StoredSpendControls {
  monthlyBudget: string | null;
  autoPause: boolean | null;
  perEventLimit: string | null;
  perHourLimit: string | null;
  perDayLimit: string | null;
}

/** The limits that refuse an event rather than alert: no event may take a cost past one of them. */
export interface BlockingLimits {
  /** The effective budget when it auto-pauses: the controls', else the plan's. */
  budget: Dec | null;
  perEvent: Dec | null;
  perHour: Dec | null;
  perDay: Dec | null;
}

/** A window of hourly rollups whose cost the batch must know: [start, end). */
export interface SpendWindow {
  start: Date;
  end: Date;
}

const amount = (text: string | null): Dec | null => (text === null ? null : new Dec(text));

/** What blocks, from the organisation's controls and its plan: each control left null takes the plan's value. */
export function blockingLimits(
  controls: StoredSpendControls | null,
  plan: { monthlyBudget: string | null; autoPauseAtBudget: boolean } | null,
): BlockingLimits | null {
  const budget = controls?.monthlyBudget ?? plan?.monthlyBudget ?? null;
  const autoPause = controls?.autoPause ?? plan?.autoPauseAtBudget ?? false;
  const limits = {
    budget: autoPause ? amount(budget) : null,
    perEvent: amount(controls?.perEventLimit ?? null),
    perHour: amount(controls?.perHourLimit ?? null),
    perDay: amount(controls?.perDayLimit ?? null),
  };
  return limits.budget || limits.perEvent || limits.perHour || limits.perDay ? limits : null;
}

/** The UTC hour and day an event falls in (ms of their start): hourly and daily spend count as the alert rules do. */
const hourOf = (at: Date): number => Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
const dayOf = (at: Date): number => Math.floor(at.getTime() / DAY_MS) * DAY_MS;

/**
 * The rollup windows whose cost the limits need, read in the ingest state query: each day the events fall in
 * for a daily limit (which holds its hours), else each hour for an hourly one; none without either.
 */
export function spendWindows(limits: BlockingLimits | null, events: readonly NormalizedEvent[]): SpendWindow[] {
  if (!limits || (!limits.perDay && !limits.perHour)) return [];
  const size = limits.perDay ? DAY_MS : HOUR_MS;
  const starts = new Set(events.map((e) => (limits.perDay ? dayOf(e.occurredAt) : hourOf(e.occurredAt))));
  return [...starts].map((start) => ({ start: new Date(start), end: new Date(start + size) }));
}

/** Whole seconds from `now` to `end`, or null when the window is over and waiting cannot help. */
export function secondsUntil(now: Date, end: Date): number | null {
  const ms = end.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : null;
}

const refusal = (event: NormalizedEvent, reason: RejectionReason, message: string, retryAfterSeconds: number | null): Rejection => ({
  index: event.index,
  id: event.id,
  code: ErrorCode.QUOTA_EXCEEDED,
  reason,
  message,
  retryAfterSeconds,
});

/**
 * The spend controls' blocking limits over one batch, for the aggregator: refuses an event whose cost would take
 * the period past an auto-paused budget, its hour or day past a limit, or that costs more than the per-event
 * limit alone; and says when each refusal may be retried. Starts from the hours' costs read under the
 * organisation's lock and counts each event it admits, so no batch, however concurrent, records past a limit.
 *
 * Most events are far from every limit, so for the hour in hand it keeps one exact headroom, the least that the
 * budget, the hour and the day leave: an event costs one comparison and one subtraction, where checking each
 * limit cost about ten Decimal operations (as much again as aggregating the event). The hour's and day's sums
 * are brought up to date when another hour comes, and the limits are checked one by one only to refuse.
 */
export class SpendGuard {
  private readonly hourCosts: Map<number, Dec>;
  private readonly dayCosts = new Map<number, Dec>();
  private readonly bounded: boolean;
  /** The hour whose headroom is held (NaN: none), its headroom when opened and now. */
  private hour = NaN;
  private openedHeadroom: Dec = ZERO;
  private headroom: Dec = ZERO;
  /** Whether the budget leaves the least: at 0 it pauses even events that cost nothing. */
  private budgetBinds = false;

  /**
   * `hourCosts`: the cost so far of each hour in `spendWindows` (ms of its start; missing: nothing spent).
   * `rateResetsAt`: when the binding requests-per-minute or per-hour window ends.
   */
  constructor(
    private readonly limits: BlockingLimits | null,
    hourCosts: ReadonlyMap<number, Dec>,
    private readonly now: Date,
    private readonly rateResetsAt: Date | null,
  ) {
    this.hourCosts = new Map(hourCosts);
    for (const [hour, cost] of hourCosts) {
      const day = Math.floor(hour / DAY_MS) * DAY_MS;
      this.dayCosts.set(day, (this.dayCosts.get(day) ?? ZERO).plus(cost));
    }
    this.bounded = !!limits && (!!limits.budget || !!limits.perHour || !!limits.perDay);
  }

  /**
   * Admits an event costing `cost`, counting it, or refuses it. `periodCost`: its period's cost so far, as the
   * aggregator keeps it (every event this guard admitted included).
   */
  admit(event: NormalizedEvent, cost: Dec, periodCost: Dec): Rejection | null {
    const limits = this.limits;
    if (!limits) return null;
    if (limits.perEvent && cost.greaterThan(limits.perEvent)) {
      return refusal(
        event,
        RejectionReason.PER_EVENT_LIMIT,
        `This event would cost ${cost.toFixed()}, more than the per-event limit of ${limits.perEvent.toFixed()}`,
        null,
      );
    }
    if (!this.bounded) return null;
    const hour = hourOf(event.occurredAt);
    if (hour !== this.hour) this.open(hour, periodCost);
    const free = cost.isZero();
    // A reached budget pauses every event, as entitlements report it; a reached hour or day only those that cost.
    if (free ? this.budgetBinds && !this.headroom.greaterThan(0) : cost.greaterThan(this.headroom)) {
      const refused = this.refusal(event, cost, periodCost);
      if (refused) return refused;
      this.open(hour, periodCost); // not expected: the headroom is exact
    }
    if (!free) this.headroom = this.headroom.minus(cost);
    return null;
  }

  /** When a refusal for `reason` may be retried, for the aggregator's own rate and budget refusals; null: waiting cannot help. */
  retryAfter(reason: RejectionReason, event: NormalizedEvent): number | null {
    if (reason === RejectionReason.RATE_LIMITED) return this.rateResetsAt && secondsUntil(this.now, this.rateResetsAt);
    if (reason === RejectionReason.BUDGET_EXHAUSTED) return secondsUntil(this.now, monthPeriod(event.periodStart).end);
    return null;
  }

  /** Holds the headroom of `hour`: the least its period's budget, the hour and its day leave. */
  private open(hour: number, periodCost: Dec): void {
    this.close();
    const limits = this.limits!;
    let least: Dec | null = null;
    let budgetBinds = false;
    if (limits.budget) {
      least = limits.budget.minus(periodCost);
      budgetBinds = true;
    }
    for (const [limit, spent] of [
      [limits.perHour, this.hourCosts.get(hour)],
      [limits.perDay, this.dayCosts.get(dayOf(new Date(hour)))],
    ] as const) {
      if (!limit) continue;
      const left = limit.minus(spent ?? ZERO);
      if (least === null || left.lessThan(least)) {
        least = left;
        budgetBinds = false;
      }
    }
    this.hour = hour;
    this.openedHeadroom = this.headroom = least!;
    this.budgetBinds = budgetBinds;
  }

  /** Adds what the events admitted in the held hour cost to that hour and its day. */
  private close(): void {
    if (Number.isNaN(this.hour)) return;
    const spent = this.openedHeadroom.minus(this.headroom);
    if (!spent.isZero()) {
      const day = dayOf(new Date(this.hour));
      this.hourCosts.set(this.hour, (this.hourCosts.get(this.hour) ?? ZERO).plus(spent));
      this.dayCosts.set(day, (this.dayCosts.get(day) ?? ZERO).plus(spent));
    }
    this.hour = NaN;
  }

  /** Which limit the event would pass, checked one by one on up-to-date sums; null when it fits after all. */
  private refusal(event: NormalizedEvent, cost: Dec, periodCost: Dec): Rejection | null {
    this.close();
    const limits = this.limits!;
    if (limits.budget && (periodCost.greaterThanOrEqualTo(limits.budget) || periodCost.plus(cost).greaterThan(limits.budget))) {
      return refusal(
        event,
        RejectionReason.BUDGET_EXHAUSTED,
        `The period's cost (${periodCost.toFixed()}) would pass the budget of ${limits.budget.toFixed()}; usage is paused`,
        this.retryAfter(RejectionReason.BUDGET_EXHAUSTED, event),
      );
    }
    if (cost.isZero()) return null;
    const hour = hourOf(event.occurredAt);
    if (limits.perHour && (this.hourCosts.get(hour) ?? ZERO).plus(cost).greaterThan(limits.perHour)) {
      return refusal(
        event,
        RejectionReason.SPEND_LIMIT,
        `This hour's cost would pass the per-hour limit of ${limits.perHour.toFixed()}`,
        secondsUntil(this.now, new Date(hour + HOUR_MS)),
      );
    }
    const day = dayOf(event.occurredAt);
    if (limits.perDay && (this.dayCosts.get(day) ?? ZERO).plus(cost).greaterThan(limits.perDay)) {
      return refusal(
        event,
        RejectionReason.SPEND_LIMIT,
        `This day's cost (UTC) would pass the per-day limit of ${limits.perDay.toFixed()}`,
        secondsUntil(this.now, new Date(day + DAY_MS)),
      );
    }
    return null;
  }
}
