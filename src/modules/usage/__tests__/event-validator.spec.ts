import { normalizeDimensions } from '../ingest/event-validator';

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
