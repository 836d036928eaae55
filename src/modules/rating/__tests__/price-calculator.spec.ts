import { Dec } from '../../../common/money/decimal';
import { PriceModel } from '../../plan/price-model';
import { costOfTotal, marginalCost, unitPriceFor, type ChargeTerms } from '../price-calculator';
import { chargeRule } from './charge-fixtures';

const charge = (terms: Partial<ChargeTerms>): ChargeTerms => chargeRule(terms);
const cost = (c: ChargeTerms, total: string) => costOfTotal(c, new Dec(total)).toFixed();

describe('price models', () => {
  it('PER_UNIT prices units above the included quantity, fractions exactly', () => {
    const c = charge({ unitPrice: '0.02', included: '100' });
    expect([cost(c, '0'), cost(c, '100'), cost(c, '100.5'), cost(c, '150')]).toEqual(['0', '0', '0.01', '1']);
  });

  it('PACKAGE bills each started block: Connectors Pro, 1,000 calls included then 500 for $5', () => {
    const c = charge({ model: PriceModel.PACKAGE, included: '1000', packageSize: '500', packagePrice: '5' });
    expect([cost(c, '1000'), cost(c, '1001'), cost(c, '1500'), cost(c, '1501'), cost(c, '2000')]).toEqual(['0', '5', '5', '10', '10']);
  });

  const tiers = [
    { upTo: '100', unitPrice: '1', flatPrice: null },
    { upTo: '200', unitPrice: '0.5', flatPrice: '10' },
    { upTo: null, unitPrice: '0.1', flatPrice: null },
  ];

  it("GRADUATED prices each tier's units at its price, with the flat fee on entering a tier", () => {
    const c = charge({ model: PriceModel.GRADUATED, tiers });
    // 100 × 1 = 100; at 101: 100 + 1 × 0.5 + 10 = 110.5; at 200: 100 + 50 + 10 = 160; at 250: 160 + 5 = 165.
    expect([cost(c, '0'), cost(c, '100'), cost(c, '101'), cost(c, '200'), cost(c, '250')]).toEqual(['0', '100', '110.5', '160', '165']);
  });

  it('VOLUME prices every unit at the tier reached; exactly at a bound stays in the lower tier', () => {
    const c = charge({ model: PriceModel.VOLUME, tiers });
    expect([cost(c, '0'), cost(c, '100'), cost(c, '100.5'), cost(c, '200'), cost(c, '201')]).toEqual(['0', '100', '60.25', '110', '20.1']);
  });

  it('tiers apply to usage above the included quantity', () => {
    expect(cost(charge({ model: PriceModel.GRADUATED, tiers, included: '50' }), '150')).toBe('100');
  });
});

describe('rate cards (per-model token prices of the AI API platform)', () => {
  const tokens = charge({
    unitPrice: null,
    dimensionPrices: [
      { dimensions: { model: 'gpt-4' }, unitPrice: '0.00003' },
      { dimensions: { model: 'gpt-4', region: 'eu' }, unitPrice: '0.000035' },
      { dimensions: { model: 'claude-3-haiku' }, unitPrice: '0.00000025' },
    ],
  });

  it('picks the most specific matching entry, and null when nothing prices it', () => {
    expect(unitPriceFor(tokens, { model: 'gpt-4' })).toBe('0.00003');
    expect(unitPriceFor(tokens, { model: 'gpt-4', region: 'eu', user_tier: 'x' })).toBe('0.000035');
    expect(unitPriceFor(tokens, { model: 'llama' })).toBeNull();
    expect(unitPriceFor({ ...tokens, unitPrice: '0.001' }, { model: 'llama' })).toBe('0.001');
  });

  it("prices an event's billable units at its own model: 1,200 GPT-4 tokens cost $0.036", () => {
    expect(marginalCost(tokens, new Dec(0), new Dec(1200), '0.00003').toFixed()).toBe('0.036');
    // Claude 3 Haiku: $0.00025 per 1K tokens, 4,000 tokens = $0.001.
    expect(marginalCost(tokens, new Dec(1200), new Dec(5200), '0.00000025').toFixed()).toBe('0.001');
  });

  it('frees the first included units, whatever their model', () => {
    const withIncluded = { ...tokens, included: '1000' };
    expect(marginalCost(withIncluded, new Dec(0), new Dec(800), '0.00003').toFixed()).toBe('0');
    expect(marginalCost(withIncluded, new Dec(800), new Dec(1300), '0.00003').toFixed()).toBe('0.009');
  });
});

describe('marginal costs', () => {
  it('telescope to the cost of the total, for every model', () => {
    const models: ChargeTerms[] = [
      charge({ unitPrice: '0.013', included: '7' }),
      charge({ model: PriceModel.PACKAGE, packageSize: '5', packagePrice: '2', included: '3' }),
      charge({
        model: PriceModel.GRADUATED,
        tiers: [
          { upTo: '10', unitPrice: '1', flatPrice: '2' },
          { upTo: null, unitPrice: '0.3', flatPrice: null },
        ],
      }),
      charge({
        model: PriceModel.VOLUME,
        tiers: [
          { upTo: '10', unitPrice: '1', flatPrice: null },
          { upTo: null, unitPrice: '0.3', flatPrice: '1' },
        ],
      }),
    ];
    const steps = ['0.5', '3', '2.25', '4', '0', '6.75', '11'];
    for (const c of models) {
      let total = new Dec(0);
      let sum = new Dec(0);
      for (const step of steps) {
        const after = total.plus(step);
        sum = sum.plus(marginalCost(c, total, after, c.unitPrice));
        total = after;
      }
      expect(sum.toFixed()).toBe(costOfTotal(c, total).toFixed());
    }
  });
});
