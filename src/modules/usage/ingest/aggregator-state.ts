import type { Dec } from '../../../common/money/decimal';
import type { ChargeRule } from '../../rating/charge-rule';
import type { DailyPeaks } from './daily-peaks';
import type { NormalizedEvent } from './normalized-event';
import type { SpendGuard } from './spend-guard';

/** A metric's aggregate for one period: what `usage` reads. */
export interface TotalState {
  metricId: string;
  periodStart: Date;
  quantity: Dec;
  cost: Dec;
  eventCount: number;
  latestAt: Date | null;
  latestQuantity: Dec | null;
  /** A DAILY_PEAK_AVERAGE metric's days, once the batch reads or records its readings; null otherwise. */
  days: DailyPeaks | null;
  dirty: boolean;
}

export interface SessionState {
  id: string;
  metricId: string;
  periodStart: Date;
  key: string;
  startedAt: Date;
  lastAt: Date;
  state: 'loaded' | 'new' | 'changed' | 'deleted';
}

/** The summed effect of events on one rollup cell (hour × team × project × user × dimensions). */
export interface RollupDelta {
  metricId: string;
  bucket: Date;
  team: string;
  project: string;
  user: string;
  dimensions: string;
  quantity: Dec;
  cost: Dec;
  events: number;
  maxQuantity: Dec;
  latestAt: Date;
  latestQuantity: Dec;
}

/** The summed effect of events on one rate-card price of a metric's period. */
export interface PriceDelta {
  metricId: string;
  periodStart: Date;
  label: string;
  unitPrice: string | null;
  quantity: Dec;
  cost: Dec;
}

export interface AcceptedEvent {
  event: NormalizedEvent;
  /** What the event added to the metric's period quantity (sessions merged by it: negative). */
  delta: Dec;
  cost: Dec;
}

export interface AggregatorState {
  charges: ReadonlyMap<string, ChargeRule>;
  totals: Map<string, TotalState>;
  /** Usage cost so far in each period (ms of its start), over every metric. */
  periodCosts: Map<number, Dec>;
  uniqueSeen: Map<string, Set<string>>;
  sessions: Map<string, SessionState[]>;
  /** Events still allowed this minute; null without a rate limit. */
  rateAllowance: number | null;
  /** The spend controls' blocking limits, and when refusals may be retried; absent: none, and no retry times. */
  spend?: SpendGuard;
}

export const totalKey = (metricId: string, periodStart: Date): string => `${metricId}|${periodStart.getTime()}`;
export const sessionGroupKey = (metricId: string, periodStart: Date, key: string): string => `${metricId}|${periodStart.getTime()}|${key}`;
