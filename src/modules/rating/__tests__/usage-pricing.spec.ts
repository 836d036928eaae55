import { Dec } from '../../../common/money/decimal';
import { Aggregation } from '../../metric/aggregation';
import type { ChargeRule } from '../charge-rule';
import { priceUsage, type PlannedUsage, type PricedMetric } from '../usage-pricing';
import { chargeRule } from './charge-fixtures';

const metric = (id: string, aggregation: Aggregation): PricedMetric => ({ id, code: id, name: id.toUpperCase(), unit: 'u', aggregation });
const metrics = new Map(
  [
    metric('calls', Aggregation.SUM),
    metric('seats', Aggregation.MAX),
    metric('storage', Aggregation.LATEST),
    metric('tokens', Aggregation.SUM),
    metric('free', Aggregation.SUM),
  ].map((m) => [m.id, m]),
);
const use = (metricId: string, quantity: string, dimensions: Record<string, string> = {}): PlannedUsage => ({
  metricId,
  quantity: new Dec(quantity),
  dimensions,
});
const priced = (planned: PlannedUsage[], charges: Map<string, ChargeRule>) => {
  const { lines, warnings } = priceUsage(planned, charges, metrics);
  return { lines: lines.map((l) => [l.description, l.quantity.toFixed(), l.cost.toFixed()]), warnings };
};

describe('priceUsage', () => {
  it('totals each metric by its aggregation and prices the total', () => {
    const charges = new Map([
      ['calls', chargeRule({ unitPrice: '0.002', included: '1000' })],
      ['seats', chargeRule({ unitPrice: '10' })],
      ['storage', chargeRule({ unitPrice: '0.5' })],
    ]);
    const planned = [
      use('calls', '600'),
      use('seats', '5'),
      use('storage', '40'),
      use('calls', '600'),
      use('seats', '8'),
      use('seats', '3'),
    ];
    expect(priced([...planned, use('storage', '30')], charges)).toEqual({
      lines: [
        ['CALLS (1000 u included)', '1200', '0.4'],
        ['SEATS', '8', '80'],
        ['STORAGE', '30', '15'],
      ],
      warnings: [],
    });
  });

  it('bills no usage past a hard limit and says so', () => {
    const charges = new Map([['calls', chargeRule({ unitPrice: '0.01', limit: '1000', hardLimit: true })]]);
    expect(priced([use('calls', '1200')], charges)).toEqual({
      lines: [['CALLS', '1000', '10']],
      warnings: ['calls: 1200 u is past the hard limit of 1000; usage past it would be refused, not billed'],
    });
  });

  it('prices rate-card entries in the order given, the first units being the included ones', () => {
    const charges = new Map([
      [
        'tokens',
        chargeRule({
          included: '100',
          dimensionPrices: [
            { dimensions: { model: 'gpt-4' }, unitPrice: '0.03' },
            { dimensions: { model: 'mini' }, unitPrice: '0.001' },
          ],
        }),
      ],
    ]);
    const planned = [
      use('tokens', '80', { model: 'gpt-4' }),
      use('tokens', '50', { model: 'mini' }),
      use('tokens', '7', { model: 'llama' }),
    ];
    expect(priced(planned, charges)).toEqual({
      lines: [
        ['TOKENS (model gpt-4)', '80', '0'],
        ['TOKENS (model mini)', '50', '0.03'],
      ],
      warnings: ['tokens: the plan has no price for {"model":"llama"}; such usage would be refused'],
    });
  });

  it('leaves out a metric the plan does not charge and that costs nothing', () => {
    expect(priced([use('free', '5')], new Map())).toEqual({ lines: [], warnings: [] });
  });
});
