import { allocate } from '../allocate';
import { Dec } from '../decimal';

const split = (total: string, weights: string[], decimals = 2) =>
  allocate(
    new Dec(total),
    weights.map((w) => new Dec(w)),
    decimals,
  ).map((d) => d.toFixed(decimals));

describe('allocate', () => {
  it('splits in whole cents that sum exactly to the total', () => {
    expect(split('10.00', ['1', '1', '1'])).toEqual(['3.34', '3.33', '3.33']);
    expect(split('0.39', ['0.0360', '0.0010', '0.3500'])).toEqual(['0.04', '0.00', '0.35']);
  });

  it('gives residues to the largest remainders and keeps proportions', () => {
    expect(split('1.00', ['0.333', '0.333', '0.334'])).toEqual(['0.33', '0.33', '0.34']);
    expect(split('7', ['1', '2'], 0)).toEqual(['2', '5']);
  });

  it('handles zero weights, negative weights and no parts', () => {
    expect(split('0.00', ['0', '0'])).toEqual(['0.00', '0.00']);
    expect(split('5.00', ['6', '-1'])).toEqual(['6.00', '-1.00']);
    expect(split('1.00', [])).toEqual([]);
  });
});
