import { Aggregation } from '../../metric/aggregation';
import type { MetricDefinition } from '../../metric/metric-definition';
import { isStorableText, normalizeDimensions, quoted, validateEvent, type RawUsageEvent } from '../ingest/event-validator';
import type { Rejection } from '../ingest/normalized-event';

describe('normalizeDimensions', () => {
  it('orders keys by code unit, whatever order they came in, so one set has one JSON text', () => {
    const orders = [
      { model: 'gpt-4', endpoint: '/v1', region: 'eu', Zone: 'a', _tier: 1, beta: true },
      { beta: true, _tier: 1, Zone: 'a', region: 'eu', endpoint: '/v1', model: 'gpt-4' },
      { region: 'eu', Zone: 'a', model: 'gpt-4', beta: true, endpoint: '/v1', _tier: 1 },
    ];
    const texts = orders.map((d) => JSON.stringify(normalizeDimensions(d)));
    expect(new Set(texts).size).toBe(1);
    // Upper case before '_' before lower case, as Array.prototype.sort orders them.
    expect(Object.keys(JSON.parse(texts[0]!) as object)).toEqual(['Zone', '_tier', 'beta', 'endpoint', 'model', 'region']);
    expect(JSON.parse(texts[0]!)).toEqual(orders[0]);
  });

  it('returns an ordered set as it is, and leaves the caller’s object alone', () => {
    const ordered = { endpoint: '/v1', model: 'gpt-4' };
    expect(normalizeDimensions(ordered)).toBe(ordered);
    const unordered = { model: 'gpt-4', endpoint: '/v1' };
    normalizeDimensions(unordered);
    expect(Object.keys(unordered)).toEqual(['model', 'endpoint']);
  });

  it('orders the largest set allowed, given in reverse', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const reversed = Object.fromEntries([...keys].reverse().map((k) => [k, k]));
    expect(Object.keys(normalizeDimensions(reversed))).toEqual(keys);
  });

  it.each([
    ['an array', ['gpt-4'], 'dimensions must be a JSON object'],
    ['more than 20 keys', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 1])), 'at most 20 dimensions'],
    ['a key that is not an identifier', { 'bad key': 1 }, '"bad key" is not a valid dimension key'],
    ['a nested value', { model: { name: 'x' } }, 'dimension "model" must be a string (up to 200 characters), number or boolean'],
    [
      'a value over 200 characters',
      { model: 'x'.repeat(201) },
      'dimension "model" must be a string (up to 200 characters), number or boolean',
    ],
  ])('refuses %s', (_, dimensions, message) => {
    expect(normalizeDimensions(dimensions)).toBe(message);
  });

  it('reads absent dimensions as none', () => {
    expect(normalizeDimensions(undefined)).toEqual({});
    expect(normalizeDimensions(null)).toEqual({});
  });
});

describe('validateEvent refuses what PostgreSQL cannot store, or a total cannot hold, one event at a time', () => {
  const NOW = new Date('2026-03-20T12:00:00Z');
  const metric = (code: string, extra: Partial<MetricDefinition> = {}): MetricDefinition => ({
    id: code,
    code,
    aggregation: Aggregation.SUM,
    uniqueBy: null,
    eventRounding: null,
    sessionIdleMinutes: null,
    sessionKey: null,
    ...extra,
  });
  const metrics = new Map([
    ['calls', metric('calls')],
    ['sessions', metric('sessions', { aggregation: Aggregation.COUNT, sessionIdleMinutes: 30, sessionKey: 'constructor' })],
  ]);
  const validate = (event: Partial<RawUsageEvent>) =>
    validateEvent({ id: 'e1', metric: 'calls', timestamp: NOW, ...event }, 3, metrics, NOW);
  const rejection = (event: Partial<RawUsageEvent>): Rejection => {
    const result = validate(event);
    if (!('reason' in result)) throw new Error(`accepted ${JSON.stringify(event)}`);
    expect(result).toMatchObject({ index: 3, code: 'BAD_USER_INPUT' });
    return result;
  };

  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone high surrogate', 'a\uD800b'],
    ['a lone low surrogate at the end', 'ab\uDC00'],
    ['a low surrogate before its high one', '\uDC00\uD800'],
  ])('refuses an id holding %s (INVALID_ID)', (_, id) => {
    expect(rejection({ id })).toMatchObject({ id, reason: 'INVALID_ID', message: 'id must not hold NUL or a lone surrogate' });
  });

  it('refuses an over-long id without sending it back', () => {
    const id = 'x'.repeat(1_000_000);
    expect(rejection({ id })).toEqual({
      index: 3,
      id: null,
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_ID',
      message: 'id must be 1 to 255 characters',
    });
  });

  it('accepts an id of astral characters (surrogate pairs) and of any other text', () => {
    for (const id of ['😀-1', '\uD83D\uDE00', 'tab\tnewline\n', '\uFFFF', 'x'.repeat(255)]) {
      expect(validate({ id })).toMatchObject({ id });
    }
  });

  it.each([
    ['a huge exponent', '1e200000', expect.stringMatching(/^quantity must have .*, got "1e200000"$/)],
    ['1e18 written out', '1000000000000000000', expect.stringMatching(/^quantity must have /)],
    ['a tiny exponent', '1e-16000000', expect.stringMatching(/^quantity must have /)],
    ['21 decimal places', '0.000000000000000000001', expect.stringMatching(/^quantity must have /)],
    ['a text over 100 characters', '1'.repeat(101), expect.stringMatching(/^quantity must have /)],
    ['"Infinity"', 'Infinity', 'quantity "Infinity" is not a number'],
    ['"NaN"', 'NaN', 'quantity "NaN" is not a number'],
    ['a NUL', '1\u0000', 'quantity "1\\u0000" is not a number'],
  ])('refuses a quantity: %s (INVALID_QUANTITY)', (_, quantity, message) => {
    expect(rejection({ quantity })).toMatchObject({ reason: 'INVALID_QUANTITY', message });
  });

  it('accepts the largest and the finest quantities allowed', () => {
    const largest = `${'9'.repeat(18)}.${'9'.repeat(20)}`;
    expect(validate({ quantity: largest })).toMatchObject({ quantity: expect.anything() });
    expect(validate({ quantity: '1e-20' })).toMatchObject({ quantity: expect.anything() });
  });

  it.each([
    ['a NUL', { model: 'a\u0000' }, 'dimension "model" holds NUL or a lone surrogate'],
    ['a lone surrogate', { model: '\uDFFF' }, 'dimension "model" holds NUL or a lone surrogate'],
    ['Infinity (JSON 1e400)', { tokens: Infinity }, 'dimension "tokens" must be a string (up to 200 characters), number or boolean'],
    ['NaN', { tokens: NaN }, 'dimension "tokens" must be a string (up to 200 characters), number or boolean'],
    ['null', { model: null }, 'dimension "model" must be a string (up to 200 characters), number or boolean'],
    ['a key "__proto__"', JSON.parse('{"__proto__": "x"}') as object, '"__proto__" is not a valid dimension key'],
    ['a key with a NUL', { 'a\u0000': 1 }, '"a\\u0000" is not a valid dimension key'],
    ['an over-long key, quoted short', { ['k'.repeat(10_000)]: 1 }, `"${'k'.repeat(64)}…" is not a valid dimension key`],
    ['a string', 'model=gpt-4', 'dimensions must be a JSON object'],
    ['a number', 42, 'dimensions must be a JSON object'],
  ])('refuses dimensions holding %s (INVALID_DIMENSIONS)', (_, dimensions, message) => {
    expect(rejection({ dimensions })).toMatchObject({ reason: 'INVALID_DIMENSIONS', message });
  });

  it.each([
    ['team', 'a\u0000b'],
    ['project', '\uD800'],
    ['user', 'u'.repeat(100_000)],
  ] as const)('refuses a %s key PostgreSQL could not store, quoting it short (INVALID_KEY)', (field, value) => {
    const { reason, message } = rejection({ [field]: value });
    expect(reason).toBe('INVALID_KEY');
    expect(message.length).toBeLessThan(120);
  });

  it('quotes an unknown metric code short and escaped (UNKNOWN_METRIC)', () => {
    expect(rejection({ metric: `\u0000${'m'.repeat(1_000_000)}` })).toMatchObject({
      reason: 'UNKNOWN_METRIC',
      message: `No metric has the code "\\u0000${'m'.repeat(63)}…"`,
    });
  });

  it("keys sessions on the event's own dimensions only, not on Object's prototype", () => {
    expect(rejection({ metric: 'sessions' }).reason).toBe('MISSING_SESSION_KEY');
    expect(validate({ metric: 'sessions', dimensions: { constructor: 'c1' } })).toMatchObject({ dimensions: { constructor: 'c1' } });
  });
});

describe('isStorableText and quoted', () => {
  it('tells lone surrogates from pairs', () => {
    expect(isStorableText('plain')).toBe(true);
    expect(isStorableText('pair \uD83D\uDE00 ok')).toBe(true);
    expect(isStorableText('\uD83D')).toBe(false);
    expect(isStorableText('\uDE00\uD83D')).toBe(false);
    expect(isStorableText('\u0000')).toBe(false);
  });

  it('cuts a long value short', () => {
    expect(quoted('x'.repeat(65))).toBe(`"${'x'.repeat(64)}…"`);
    expect(quoted('ok')).toBe('"ok"');
  });
});
