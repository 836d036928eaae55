import { Dec } from '../../../common/money/decimal';
import { crossed, measuredFor, thresholdOf, type RuleTerms } from '../alert-evaluator';
import { AlertRuleKind, AlertSeverity, AlertWindow } from '../alert-severity';

const rule = (over: Partial<RuleTerms>): RuleTerms => ({
  id: 'r1',
  kind: AlertRuleKind.USAGE,
  metricId: null,
  thresholdPercent: '80',
  thresholdAmount: null,
  severity: AlertSeverity.WARNING,
  channels: ['in_app'],
  window: AlertWindow.PERIOD,
  team: null,
  project: null,
  ...over,
});

describe('alert evaluation helpers', () => {
  it('measures only rules the batch can move', () => {
    const touched = new Set(['m1']);
    expect(measuredFor(rule({ team: 'a' }), touched)).toBe(true);
    expect(measuredFor(rule({ team: 'a', metricId: 'm1' }), touched)).toBe(true);
    expect(measuredFor(rule({ team: 'a', metricId: 'm2' }), touched)).toBe(false);
    expect(measuredFor(rule({ kind: AlertRuleKind.COST, metricId: 'm2', window: AlertWindow.HOUR }), touched)).toBe(true);
    expect(measuredFor(rule({ kind: AlertRuleKind.COST, window: AlertWindow.FORECAST }), touched)).toBe(false);
    // Whole-period rules without a scope read the batch's own totals.
    expect(measuredFor(rule({}), touched)).toBe(false);
  });

  it('takes an amount as it is and a percent of its base, or nothing without one', () => {
    expect(thresholdOf({ thresholdPercent: null, thresholdAmount: '12.5' }, null)?.toFixed()).toBe('12.5');
    expect(thresholdOf({ thresholdPercent: '80', thresholdAmount: null }, '250')?.toFixed()).toBe('200');
    expect(thresholdOf({ thresholdPercent: '80', thresholdAmount: null }, null)).toBeNull();
  });

  it('raises an alert once the value reaches a positive threshold', () => {
    const r = rule({});
    expect(crossed(r, 'k', 'usage', 'tokens', new Dec(10), new Dec(9.99), 'm')).toBeNull();
    expect(crossed(r, 'k', 'usage', 'tokens', new Dec(0), new Dec(5), 'm')).toBeNull();
    expect(crossed(r, 'k', 'usage', 'tokens', new Dec(10), new Dec(10), 'm')).toEqual({
      ruleId: 'r1',
      dedupKey: 'rule:r1:k',
      kind: 'usage',
      severity: AlertSeverity.WARNING,
      metricCode: 'tokens',
      threshold: '10',
      value: '10',
      message: 'm',
      channels: ['in_app'],
    });
  });
});
