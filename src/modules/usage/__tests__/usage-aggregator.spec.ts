import { Dec } from '../../../common/money/decimal';
import { Aggregation } from '../../metric/aggregation';
import type { MetricDefinition } from '../../metric/metric-definition';
import { PriceModel } from '../../plan/price-model';
import type { ChargeRule } from '../../rating/charge-rule';
import { validateEvent, type RawUsageEvent } from '../ingest/event-validator';
import type { NormalizedEvent } from '../ingest/normalized-event';
import type { AggregatorState } from '../ingest/aggregator-state';
import { UsageAggregator } from '../ingest/usage-aggregator';
import { SpendGuard } from '../ingest/spend-guard';

const NOW = new Date('2026-03-20T12:00:00Z');
const metric = (code: string, aggregation: Aggregation, extra: Partial<MetricDefinition> = {}): MetricDefinition => ({
  id: code,
  code,
  aggregation,
  uniqueBy: null,
  eventRounding: null,
  sessionIdleMinutes: null,
  sessionKey: null,
  ...extra,
});
const rule = (extra: Partial<ChargeRule>): ChargeRule => ({
  model: PriceModel.PER_UNIT,
  included: null,
  limit: null,
  hardLimit: false,
  unitPrice: '1',
  packageSize: null,
  packagePrice: null,
  tiers: null,
  dimensionPrices: null,
  ...extra,
});

function run(m: MetricDefinition, charge: ChargeRule | null, inputs: Array<Partial<RawUsageEvent>>, extra: Partial<AggregatorState> = {}) {
  const aggregator = new UsageAggregator({
    charges: new Map(charge ? [[m.id, charge]] : []),
    totals: new Map(),
    periodCosts: new Map(),
    uniqueSeen: new Map(),
    sessions: new Map(),
    rateAllowance: null,
    ...extra,
  });
  const metrics = new Map([[m.code, m]]);
  inputs.forEach((input, i) => {
    const event = validateEvent({ id: `e${i}`, metric: m.code, ...input } as RawUsageEvent, i, metrics, NOW);
    if ('reason' in event) throw new Error(event.message);
    aggregator.apply(event as NormalizedEvent);
  });
  const total = aggregator.dirtyTotals[0];
  return { aggregator, quantity: total?.quantity.toFixed() ?? '0', cost: total?.cost.toFixed() ?? '0' };
}
const at = (minutes: number) => new Date(Date.parse('2026-03-20T09:00:00Z') + minutes * 60_000);

describe('aggregations', () => {
  it('SUM adds quantities; COUNT counts events whatever their quantity', () => {
    expect(run(metric('calls', Aggregation.SUM), null, [{ quantity: '2.5' }, { quantity: '4' }]).quantity).toBe('6.5');
    expect(run(metric('calls', Aggregation.COUNT), null, [{ quantity: '2.5' }, { quantity: '4' }]).quantity).toBe('2');
  });

  it('MAX keeps the peak (analytics storage GB), LATEST the value of the newest timestamp', () => {
    expect(run(metric('gb', Aggregation.MAX), null, [{ quantity: '10' }, { quantity: '42' }, { quantity: '7' }]).quantity).toBe('42');
    const latest = run(metric('seats', Aggregation.LATEST), null, [
      { quantity: '5', timestamp: at(10) },
      { quantity: '9', timestamp: at(30) },
      { quantity: '2', timestamp: at(20) },
    ]);
    expect(latest.quantity).toBe('9');
  });

  it('UNIQUE_COUNT counts each value once per period', () => {
    const users = metric('users', Aggregation.UNIQUE_COUNT, { uniqueBy: 'user' });
    expect(run(users, null, [{ user: 'a' }, { user: 'b' }, { user: 'a' }]).quantity).toBe('2');
    const byModel = metric('models', Aggregation.UNIQUE_COUNT, { uniqueBy: 'model' });
    expect(run(byModel, null, [{ dimensions: { model: 'gpt-4' } }, { dimensions: { model: 'gpt-4' } }]).quantity).toBe('1');
  });

  it('hourly billing: each event rounds up to a started hour: 2 min → 1 h, 59 min → 1 h, 62 min → 2 h', () => {
    const hours = metric('hours', Aggregation.SUM, { eventRounding: '1' });
    const minutes = (n: number) => new Dec(n).div(60).toFixed(20);
    const r = run(hours, rule({ unitPrice: '0.10' }), [{ quantity: minutes(2) }, { quantity: minutes(59) }, { quantity: minutes(62) }]);
    expect(r.quantity).toBe('4');
    expect(r.cost).toBe('0.4');
    expect(r.aggregator.accepted.map((a) => a.event.quantity.toFixed())).toEqual(['1', '1', '2']);
  });
});

describe('DAILY_PEAK_AVERAGE: storage as the peak of each day averaged over the month', () => {
  const storage = metric('storage', Aggregation.DAILY_PEAK_AVERAGE);
  const march = (day: number) => new Date(Date.UTC(2026, 2, day));

  it("each reading's delta and cost are its change to the month's average and bill, and they add up to them", () => {
    // 31 GB from the 1st, 62 from the 11th, 0 from the 16th (the 16th still peaks at 62):
    // 31 → (10 × 31 + 21 × 62) / 31 = 52 → (10 × 31 + 6 × 62) / 31 = 22 GB; 10 GB included at 0.25.
    const r = run(storage, rule({ unitPrice: '0.25', included: '10' }), [
      { quantity: '31', timestamp: march(1) },
      { quantity: '62', timestamp: march(11) },
      { quantity: '0', timestamp: march(16) },
    ]);
    expect(r.quantity).toBe('22');
    expect(r.cost).toBe('3');
    expect(r.aggregator.accepted.map((a) => [a.delta.toFixed(), a.cost.toFixed()])).toEqual([
      ['31', '5.25'],
      ['21', '5.25'],
      ['-30', '-7.5'],
    ]);
    expect(r.aggregator.changedDays[0]!.days.map((d) => d.day.getUTCDate())).toEqual([1, 11, 16]);
  });

  it("a hard limit holds the month's average, not a single reading", () => {
    // 62 from the 11th would make 52 > 40: refused. 45 from the 20th makes (19 × 31 + 12 × 45) / 31 ≈ 36.4.
    const r = run(storage, rule({ limit: '40', hardLimit: true }), [
      { quantity: '31', timestamp: march(1) },
      { quantity: '62', timestamp: march(11) },
      { quantity: '45', timestamp: march(20) },
    ]);
    expect(r.aggregator.rejected).toEqual([expect.objectContaining({ index: 1, code: 'QUOTA_EXCEEDED', reason: 'HARD_LIMIT' })]);
    expect(r.quantity).toBe(new Dec(19 * 31 + 12 * 45).div(31).toDecimalPlaces(20).toFixed());
    expect(r.aggregator.changedDays[0]!.days.map((d) => d.day.getUTCDate())).toEqual([1, 20]);
  });
});

describe('FlowStack sessions: one conversation until 30 idle minutes pass', () => {
  const sessions = metric('sessions', Aggregation.COUNT, { sessionIdleMinutes: 30, sessionKey: 'conversation' });
  const msg = (minute: number, conversation = 'c1') => ({ timestamp: at(minute), dimensions: { conversation } });

  it('counts 6 messages within a conversation as 1 session, and a message 35 minutes later as a new one', () => {
    expect(run(sessions, null, [msg(0), msg(1), msg(2), msg(3), msg(4), msg(5)]).quantity).toBe('1');
    // The FAQ example: 0, +10, +5 (same session), then +35 → session 2.
    expect(run(sessions, null, [msg(0), msg(10), msg(15), msg(50)]).quantity).toBe('2');
  });

  it('keeps exactly 30 idle minutes in the session and starts a new one after 31', () => {
    expect(run(sessions, null, [msg(0), msg(30)]).quantity).toBe('1');
    expect(run(sessions, null, [msg(0), msg(31)]).quantity).toBe('2');
  });

  it('merges two sessions when a late message bridges the gap', () => {
    const r = run(sessions, null, [msg(0), msg(50), msg(25)]);
    expect(r.quantity).toBe('1');
    expect(r.aggregator.accepted.map((a) => a.delta.toFixed())).toEqual(['1', '1', '-1']);
  });

  it('separates conversations', () => {
    expect(run(sessions, null, [msg(0, 'a'), msg(1, 'b'), msg(2, 'a')]).quantity).toBe('2');
  });

  it('refuses new sessions past a hard limit while open ones continue', () => {
    const r = run(sessions, rule({ unitPrice: '0', limit: '1', hardLimit: true }), [msg(0, 'a'), msg(1, 'b'), msg(2, 'a')]);
    expect(r.quantity).toBe('1');
    expect(r.aggregator.rejected).toEqual([expect.objectContaining({ index: 1, code: 'QUOTA_EXCEEDED', reason: 'HARD_LIMIT' })]);
    expect(r.aggregator.accepted.map((a) => a.event.index)).toEqual([0, 2]);
  });
});

describe('quotas, budget and rate limit', () => {
  const calls = metric('calls', Aggregation.SUM);

  it('a hard limit refuses the event that would pass it, and accepts smaller ones that fit', () => {
    const r = run(calls, rule({ limit: '10', hardLimit: true }), [{ quantity: '8' }, { quantity: '3' }, { quantity: '2' }]);
    expect(r.quantity).toBe('10');
    expect(r.aggregator.rejected.map((x) => x.index)).toEqual([1]);
  });

  it('a soft limit bills the overage', () => {
    expect(run(calls, rule({ included: '10', limit: '10', unitPrice: '0.5' }), [{ quantity: '14' }]).cost).toBe('2');
  });

  it('an auto-paused budget refuses the event that would pass it (overage protection)', () => {
    const budget = { budget: new Dec('5'), perEvent: null, perHour: null, perDay: null };
    const r = run(calls, rule({ unitPrice: '2' }), [{ quantity: '2' }, { quantity: '1' }, { quantity: '0.5' }], {
      spend: new SpendGuard(budget, new Map(), new Date('2026-03-10T12:00:00Z'), null),
    });
    // 4 spent; 2 more would make 6, past the 5: refused; 1 more makes exactly 5.
    expect(r.cost).toBe('5');
    expect(r.aggregator.rejected).toEqual([expect.objectContaining({ index: 1, code: 'QUOTA_EXCEEDED', reason: 'BUDGET_EXHAUSTED' })]);
  });

  it('refuses events past the per-minute allowance with RATE_LIMITED', () => {
    const r = run(calls, null, [{}, {}, {}], { rateAllowance: 2 });
    expect(r.aggregator.rejected).toEqual([expect.objectContaining({ index: 2, code: 'RATE_LIMITED' })]);
  });

  it('refuses an event whose dimensions the rate card does not price', () => {
    const r = run(calls, rule({ unitPrice: null, dimensionPrices: [{ dimensions: { connector: 'notion' }, unitPrice: '0.001' }] }), [
      { dimensions: { connector: 'notion' } },
      { dimensions: { connector: 'jira' } },
    ]);
    expect(r.cost).toBe('0.001');
    expect(r.aggregator.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'UNPRICED_DIMENSIONS' })]);
  });
});

describe('validation', () => {
  const metrics = new Map([['calls', metric('calls', Aggregation.SUM)]]);
  it.each<[string, Partial<RawUsageEvent>, string]>([
    ['an unknown metric', { metric: 'nope' }, 'UNKNOWN_METRIC'],
    ['a negative quantity', { quantity: '-1' }, 'INVALID_QUANTITY'],
    ['a non-numeric quantity', { quantity: 'ten' }, 'INVALID_QUANTITY'],
    ['a timestamp 36 days old', { timestamp: new Date(NOW.getTime() - 36 * 86400_000) }, 'TIMESTAMP_TOO_OLD'],
    ['a timestamp 6 minutes ahead', { timestamp: new Date(NOW.getTime() + 6 * 60_000) }, 'TIMESTAMP_IN_FUTURE'],
    ['dimensions that are an array', { dimensions: ['gpt-4'] }, 'INVALID_DIMENSIONS'],
    ['nested dimensions', { dimensions: { model: { name: 'x' } } }, 'INVALID_DIMENSIONS'],
    ['an empty id', { id: '' }, 'INVALID_ID'],
  ])('rejects %s', (_label, input, reason) => {
    const result = validateEvent({ id: 'x', metric: 'calls', ...input } as RawUsageEvent, 3, metrics, NOW);
    expect(result).toMatchObject({ index: 3, code: 'BAD_USER_INPUT', reason });
  });

  it('accepts 35 days old and 5 minutes ahead', () => {
    for (const timestamp of [new Date(NOW.getTime() - 35 * 86400_000), new Date(NOW.getTime() + 5 * 60_000)]) {
      expect(validateEvent({ id: 'x', metric: 'calls', timestamp }, 0, metrics, NOW)).not.toHaveProperty('reason');
    }
  });
});

describe('rollup cells and rate-card price totals', () => {
  const tokens = metric('tokens', Aggregation.SUM);
  const card = rule({
    unitPrice: '0.01',
    dimensionPrices: [
      { dimensions: { model: 'gpt-4' }, unitPrice: '0.03' },
      { dimensions: { model: 'haiku' }, unitPrice: '0.001' },
    ],
  });

  it('merges the events of one hour, team, project, user and dimension set into one cell, in first-seen order', () => {
    const { aggregator } = run(tokens, card, [
      { quantity: '10', timestamp: at(0), team: 'eng', user: 'ann', dimensions: { model: 'gpt-4' } },
      { quantity: '5', timestamp: at(1), team: 'eng', user: 'bob', dimensions: { model: 'gpt-4' } },
      { quantity: '7', timestamp: at(2), team: 'eng', user: 'ann', dimensions: { model: 'gpt-4' } },
      { quantity: '3', timestamp: at(3), team: 'eng', user: 'ann', dimensions: { model: 'haiku' } },
      { quantity: '4', timestamp: at(61), team: 'eng', user: 'ann', dimensions: { model: 'gpt-4' } },
    ]);
    const cells = aggregator.rollupDeltas.map((c) => [
      c.bucket.toISOString(),
      c.user,
      c.dimensions,
      c.quantity.toFixed(),
      c.cost.toFixed(),
      c.events,
    ]);
    expect(cells).toEqual([
      ['2026-03-20T09:00:00.000Z', 'ann', '{"model":"gpt-4"}', '17', '0.51', 2],
      ['2026-03-20T09:00:00.000Z', 'bob', '{"model":"gpt-4"}', '5', '0.15', 1],
      ['2026-03-20T09:00:00.000Z', 'ann', '{"model":"haiku"}', '3', '0.003', 1],
      ['2026-03-20T10:00:00.000Z', 'ann', '{"model":"gpt-4"}', '4', '0.12', 1],
    ]);
  });

  it('totals each rate-card price once per metric and period, whatever the order of dimension keys', () => {
    const { aggregator, cost } = run(tokens, card, [
      { quantity: '10', dimensions: { model: 'gpt-4', region: 'eu' } },
      { quantity: '20', dimensions: { model: 'haiku' } },
      { quantity: '30', dimensions: { region: 'eu', model: 'gpt-4' } },
    ]);
    const prices = aggregator.priceDeltas.map((p) => [p.label, p.unitPrice, p.quantity.toFixed(), p.cost.toFixed()]);
    expect(prices).toEqual([
      ['model gpt-4', '0.03', '40', '1.2'],
      ['model haiku', '0.001', '20', '0.02'],
    ]);
    expect(cost).toBe('1.22');
  });
});
