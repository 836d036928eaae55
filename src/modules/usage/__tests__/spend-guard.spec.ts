import { Dec } from '../../../common/money/decimal';
import type { NormalizedEvent } from '../ingest/normalized-event';
import { blockingLimits, secondsUntil, SpendGuard, spendWindows, type BlockingLimits } from '../ingest/spend-guard';

const NOW = new Date('2026-03-10T12:00:00Z');
const event = (index: number, at = NOW): NormalizedEvent =>
  ({ index, id: `e${index}`, occurredAt: at, periodStart: new Date('2026-03-01T00:00:00Z') }) as NormalizedEvent;
const limits = (extra: Partial<BlockingLimits>): BlockingLimits => ({
  budget: null,
  perEvent: null,
  perHour: null,
  perDay: null,
  ...extra,
});
const d = (value: string) => new Dec(value);

describe('blockingLimits', () => {
  const none = { monthlyBudget: null, autoPause: null, perEventLimit: null, perHourLimit: null, perDayLimit: null };
  it("takes the plan's budget and auto-pause where the controls leave them unset", () => {
    expect(blockingLimits(none, { monthlyBudget: '10', autoPauseAtBudget: true })?.budget?.toFixed()).toBe('10');
    expect(blockingLimits({ ...none, monthlyBudget: '4' }, { monthlyBudget: '10', autoPauseAtBudget: true })?.budget?.toFixed()).toBe('4');
  });
  it("makes the plan's own auto-paused budget a hard cap without controls, and blocks nothing without any limit", () => {
    expect(blockingLimits(null, { monthlyBudget: '10', autoPauseAtBudget: true })?.budget?.toFixed()).toBe('10');
    expect(blockingLimits(null, { monthlyBudget: '10', autoPauseAtBudget: false })).toBeNull();
    expect(blockingLimits(none, null)).toBeNull();
  });
  it('blocks at no budget when auto-pause is off, by the controls or by the plan', () => {
    expect(blockingLimits({ ...none, autoPause: false }, { monthlyBudget: '10', autoPauseAtBudget: true })?.budget ?? null).toBeNull();
    expect(blockingLimits({ ...none, monthlyBudget: '4' }, { monthlyBudget: null, autoPauseAtBudget: false })?.budget ?? null).toBeNull();
    expect(blockingLimits({ ...none, monthlyBudget: '4', autoPause: true }, null)?.budget?.toFixed()).toBe('4');
  });
});

describe('spendWindows', () => {
  const events = [event(0, new Date('2026-03-10T12:10:00Z')), event(1, new Date('2026-03-10T09:59:00Z')), event(2)];
  it('asks for nothing without an hourly or daily limit', () => {
    expect(spendWindows(limits({ budget: d('5') }), events)).toEqual([]);
    expect(spendWindows(null, events)).toEqual([]);
  });
  it('asks for each hour the events fall in for an hourly limit, each UTC day for a daily one', () => {
    expect(spendWindows(limits({ perHour: d('1') }), events).map((w) => [w.start.toISOString(), w.end.toISOString()])).toEqual([
      ['2026-03-10T12:00:00.000Z', '2026-03-10T13:00:00.000Z'],
      ['2026-03-10T09:00:00.000Z', '2026-03-10T10:00:00.000Z'],
    ]);
    expect(
      spendWindows(limits({ perHour: d('1'), perDay: d('2') }), events).map((w) => [w.start.toISOString(), w.end.toISOString()]),
    ).toEqual([['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z']]);
  });
});

describe('SpendGuard', () => {
  const hourMs = Date.parse('2026-03-10T12:00:00Z');
  const check = (guard: SpendGuard, costs: string[], periodCost = '0') => {
    let period = d(periodCost);
    return costs.map((cost, i) => {
      const refused = guard.admit(event(i), d(cost), period);
      if (refused) return [refused.reason, refused.retryAfterSeconds];
      period = period.plus(cost);
      return 'accepted';
    });
  };

  it('refuses the event that would pass the budget, and every event once it is reached', () => {
    const guard = new SpendGuard(limits({ budget: d('5') }), new Map(), NOW, null);
    expect(check(guard, ['2', '3.01', '3', '0'], '0')).toEqual([
      'accepted',
      ['BUDGET_EXHAUSTED', 21.5 * 86_400],
      'accepted',
      ['BUDGET_EXHAUSTED', 21.5 * 86_400],
    ]);
  });

  it('counts the hour from its stored cost, and lets free events through at the limit', () => {
    const guard = new SpendGuard(limits({ perHour: d('5') }), new Map([[hourMs, d('4')]]), NOW, null);
    expect(check(guard, ['1.5', '1', '0', '0.01'])).toEqual([['SPEND_LIMIT', 3600], 'accepted', 'accepted', ['SPEND_LIMIT', 3600]]);
  });

  it('sums a day from its hours', () => {
    const morning = Date.parse('2026-03-10T08:00:00Z');
    const guard = new SpendGuard(
      limits({ perDay: d('5') }),
      new Map([
        [morning, d('2')],
        [hourMs, d('2')],
      ]),
      NOW,
      null,
    );
    expect(check(guard, ['1.01', '1'])).toEqual([['SPEND_LIMIT', 12 * 3600], 'accepted']);
  });

  it('keeps hours and their day exact when a batch goes back and forth between hours', () => {
    const eleven = new Date('2026-03-10T11:30:00Z');
    const guard = new SpendGuard(limits({ perHour: d('3'), perDay: d('5') }), new Map(), NOW, null);
    const at = [NOW, eleven, NOW, eleven, NOW];
    const costs = ['2', '2', '1.5', '1', '0.01'];
    expect(costs.map((cost, i) => guard.admit(event(i, at[i]), d(cost), d('0'))?.message ?? 'accepted')).toEqual([
      'accepted',
      'accepted',
      "This hour's cost would pass the per-hour limit of 3",
      'accepted',
      "This day's cost (UTC) would pass the per-day limit of 5",
    ]);
  });

  it('refuses one event costing more than the per-event limit, with no retry time', () => {
    const guard = new SpendGuard(limits({ perEvent: d('1') }), new Map(), NOW, null);
    expect(check(guard, ['1', '1.0001'])).toEqual(['accepted', ['PER_EVENT_LIMIT', null]]);
  });

  it('says when a rate window ends, and nothing for a window that is over', () => {
    const guard = new SpendGuard(null, new Map(), NOW, new Date('2026-03-10T12:01:00Z'));
    expect(guard.retryAfter('RATE_LIMITED' as never, event(0))).toBe(60);
    expect(secondsUntil(NOW, new Date('2026-03-10T11:00:00Z'))).toBeNull();
    expect(secondsUntil(NOW, new Date('2026-03-10T12:00:00.001Z'))).toBe(1);
  });
});
