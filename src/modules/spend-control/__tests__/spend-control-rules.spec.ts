import type { SpendControlsInput } from '../dto/spend-controls.types';
import { checkThresholds, mergeControls, spendControlsView, thresholdChanges, thresholdSeverity } from '../spend-control-rules';

const ORG = '00000000-0000-4000-8000-000000000001';
const none = { monthlyBudget: null, autoPause: null, perEventLimit: null, perHourLimit: null, perDayLimit: null };
const input = (extra: Partial<SpendControlsInput>): SpendControlsInput => ({ organizationId: ORG, ...extra });

describe('mergeControls', () => {
  it('keeps what the input leaves out, resets what it sets to null', () => {
    const current = { ...none, monthlyBudget: '5', perDayLimit: '2' };
    expect(mergeControls(current, input({ perHourLimit: '1.50', perDayLimit: null }), 'USD', null)).toEqual({
      ...none,
      monthlyBudget: '5',
      perHourLimit: '1.5',
    });
  });

  it.each<[string, Partial<SpendControlsInput>, string, string]>([
    ['zero', { perEventLimit: '0' }, 'USD', 'INVALID_AMOUNT'],
    ['a fraction of a yen', { monthlyBudget: '10.5' }, 'JPY', 'INVALID_AMOUNT'],
    ['past the bounds', { perDayLimit: '1000000000000000' }, 'USD', 'OUT_OF_RANGE'],
    ['auto-pause without any budget', { autoPause: true }, 'USD', 'NO_BUDGET'],
  ])('refuses %s', (_label, extra, currency, reason) => {
    expect(() => mergeControls(null, input(extra), currency, { monthlyBudget: null })).toThrow(expect.objectContaining({ reason }));
  });

  it("allows auto-pause at the plan's budget", () => {
    expect(mergeControls(null, input({ autoPause: true }), 'USD', { monthlyBudget: '10' }).autoPause).toBe(true);
  });
});

describe('alert thresholds', () => {
  it('default to 50, 80 and 95 %, and are kept lowest first', () => {
    expect(checkThresholds(null)).toEqual([50, 80, 95]);
    expect(checkThresholds([95, 10])).toEqual([10, 95]);
  });

  it('keep the rules whose percentage stays', () => {
    const existing = [
      { id: 'a', percent: 50 },
      { id: 'b', percent: 80 },
      { id: 'c', percent: 95 },
    ];
    expect(thresholdChanges(existing, [80, 90])).toEqual({ remove: ['a', 'c'], add: [90] });
    expect(thresholdChanges(existing, [])).toEqual({ remove: ['a', 'b', 'c'], add: [] });
  });

  it('are as severe as the defaults at the same percentages', () => {
    expect([50, 79, 80, 94, 95, 150].map(thresholdSeverity)).toEqual(['INFO', 'INFO', 'WARNING', 'WARNING', 'CRITICAL', 'CRITICAL']);
  });
});

describe('spendControlsView', () => {
  it("shows the plan's budget where none is set, and never less than nothing left", () => {
    const view = spendControlsView(null, { monthlyBudget: '10', autoPauseAtBudget: true }, [50], '12.345', 'USD');
    expect(view).toMatchObject({
      monthlyBudget: { amount: '10.00' },
      autoPause: true,
      spentThisPeriod: { amount: '12.35' },
      remainingBudget: { amount: '0.00' },
    });
    expect(spendControlsView({ ...none, perHourLimit: '3' }, null, [], '1', 'USD')).toMatchObject({
      monthlyBudget: null,
      autoPause: false,
      remainingBudget: null,
      perHourLimit: { amount: '3.00' },
    });
  });
});
