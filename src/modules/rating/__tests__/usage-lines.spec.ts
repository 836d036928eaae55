import { Dec } from '../../../common/money/decimal';
import { PriceModel } from '../../plan/price-model';
import { billedByMetric, lineAmount, priceLabel, usageLines, type RateCell, type UsageCharge } from '../usage-lines';
import { chargeRule } from './charge-fixtures';

const line = (metric: string, cost: string): UsageCharge => ({
  metric,
  description: metric,
  quantity: new Dec(1),
  unitPrice: null,
  cost: new Dec(cost),
});

const tokens = chargeRule({
  unitPrice: '0.001',
  dimensionPrices: [
    { dimensions: { model: 'gpt-4' }, unitPrice: '0.03' },
    { dimensions: { model: 'gpt-4', region: 'eu' }, unitPrice: '0.04' },
  ],
});

describe('lineAmount', () => {
  it('rounds a line once, half up, to the currency', () => {
    expect(lineAmount(line('a', '0.005'), 2)).toBe('0.01');
    expect(lineAmount(line('a', '0.0049999'), 2)).toBe('0.00');
    expect(lineAmount(line('a', '0.9999'), 2)).toBe('1.00');
    expect(lineAmount(line('a', '1501.5'), 0)).toBe('1502');
    expect(lineAmount(line('a', '2'), 3)).toBe('2.000');
  });
});

describe('billedByMetric', () => {
  it('sums rounded lines per metric, never rounds the sum', () => {
    // Two rate-card lines of 0.004 each bill 0.00 + 0.00, though their exact sum (0.008) would round to 0.01.
    const billed = billedByMetric([line('tokens', '0.004'), line('tokens', '0.004'), line('calls', '1.235'), line('calls', '0.005')], 2);
    expect([...billed]).toEqual([
      ['tokens', '0.00'],
      ['calls', '1.25'],
    ]);
  });

  it('is empty without lines', () => {
    expect(billedByMetric([], 2).size).toBe(0);
  });
});

describe('priceLabel', () => {
  it('names the most specific matching rate-card entry, or "other" at the charge price', () => {
    expect(priceLabel(tokens, { model: 'gpt-4', region: 'eu' })).toEqual({ label: 'model gpt-4, region eu', price: '0.04' });
    expect(priceLabel(tokens, { model: 'gpt-4', region: 'us' })).toEqual({ label: 'model gpt-4', price: '0.03' });
    expect(priceLabel(tokens, { model: 'mini' })).toEqual({ label: 'other', price: '0.001' });
    expect(priceLabel(chargeRule({ dimensionPrices: tokens.dimensionPrices }), { model: 'mini' })).toEqual({ label: 'other', price: null });
  });
});

describe('usageLines', () => {
  const metrics = new Map([
    ['m-tokens', { code: 'tokens', name: 'Tokens', unit: 'tokens' }],
    ['m-calls', { code: 'calls', name: 'API calls', unit: 'calls' }],
    ['m-storage', { code: 'storage', name: 'Storage', unit: 'GB' }],
    ['m-seats', { code: 'seats', name: 'Seats', unit: 'seats' }],
    ['m-extra', { code: 'extra', name: 'Extra', unit: 'units' }],
  ]);
  const charges = new Map([
    ['m-tokens', tokens],
    ['m-calls', chargeRule({ unitPrice: '0.002', included: '1000' })],
    ['m-storage', chargeRule({ model: PriceModel.PACKAGE, packageSize: '10', packagePrice: '5' })],
  ]);
  const total = (metricId: string, quantity: string, cost: string) => ({ metricId, quantity: new Dec(quantity), cost: new Dec(cost) });
  const cell = (dimensions: Record<string, string>, quantity: string, cost: string): RateCell => ({
    dimensions,
    quantity: new Dec(quantity),
    cost: new Dec(cost),
  });
  const shown = (lines: UsageCharge[]) => lines.map((l) => [l.metric, l.description, l.quantity.toFixed(), l.unitPrice, l.cost.toFixed()]);

  it('gives one line per metric in code order, one per price of a rate card, skips unpriced idle metrics, keeps costs exact', () => {
    const lines = usageLines(
      [
        total('m-tokens', '300', '7.6'),
        total('m-calls', '1500', '1'),
        total('m-storage', '25', '15'),
        total('m-seats', '3', '0'),
        total('m-extra', '2', '2.5'),
      ],
      charges,
      metrics,
      new Map([
        [
          'm-tokens',
          [
            cell({ model: 'gpt-4' }, '100', '3'),
            cell({ model: 'mini' }, '100', '0.1'),
            cell({ model: 'gpt-4' }, '50', '1.5'),
            cell({ model: 'gpt-4', region: 'eu' }, '50', '2.0004'),
          ],
        ],
      ]),
    );
    expect(shown(lines)).toEqual([
      ['calls', 'API calls (1000 calls included)', '1500', '0.002', '1'],
      ['extra', 'Extra', '2', null, '2.5'],
      ['storage', 'Storage (5 per 10 GB)', '25', null, '15'],
      // Descriptions in locale order, which weighs the comma after "gpt-4" before the closing parenthesis.
      ['tokens', 'Tokens (model gpt-4, region eu)', '50', '0.04', '2.0004'],
      ['tokens', 'Tokens (model gpt-4)', '150', '0.03', '4.5'],
      ['tokens', 'Tokens (other)', '100', '0.001', '0.1'],
    ]);
  });

  it('takes per-price totals kept at ingest as they are labelled', () => {
    const lines = usageLines(
      [total('m-tokens', '70', '1.2')],
      new Map([['m-tokens', tokens]]),
      metrics,
      new Map([
        [
          'm-tokens',
          [
            { dimensions: {}, label: 'model gpt-4', unitPrice: '0.03', quantity: new Dec(40), cost: new Dec('1.2') },
            { dimensions: {}, label: 'other', unitPrice: '0.001', quantity: new Dec(30), cost: new Dec(0) },
          ],
        ],
      ]),
    );
    expect(shown(lines)).toEqual([
      ['tokens', 'Tokens (model gpt-4)', '40', '0.03', '1.2'],
      ['tokens', 'Tokens (other)', '30', '0.001', '0'],
    ]);
  });

  it('describes tiered charges by model', () => {
    const tiered = chargeRule({ model: PriceModel.VOLUME, included: '10', tiers: [{ upTo: null, unitPrice: '1', flatPrice: null }] });
    const lines = usageLines([total('m-calls', '12', '2')], new Map([['m-calls', tiered]]), metrics, undefined);
    expect(shown(lines)).toEqual([['calls', 'API calls (volume tiers, 10 calls included)', '12', null, '2']]);
  });
});
