import { Dec } from '../../../common/money/decimal';
import { Aggregation } from '../../metric/aggregation';
import {
  crossed,
  evaluateRules,
  measureWindows,
  thresholdOf,
  type BatchCell,
  type EvaluationInput,
  type RuleTerms,
} from '../alert-evaluator';
import { AlertRuleKind, AlertSeverity, AlertWindow } from '../alert-severity';
import { ruleTerms } from './rule-fixtures';

const cell = (bucket: string, over: Partial<BatchCell> = {}): BatchCell => ({
  metricId: 'm1',
  bucket: new Date(bucket),
  team: '',
  project: '',
  ...over,
});

const MARCH = Date.parse('2026-03-01T00:00:00Z');
const APRIL = Date.parse('2026-04-01T00:00:00Z');
const metrics = new Map([
  ['m1', { code: 'calls', unit: 'call', aggregation: Aggregation.SUM }],
  ['m2', { code: 'storage', unit: 'GB', aggregation: Aggregation.MAX }],
]);
const input = (over: Partial<EvaluationInput>): EvaluationInput => ({
  currency: 'USD',
  metrics,
  charges: new Map([['m1', { limit: '100' }]]),
  budget: '10',
  totals: [],
  periodCosts: new Map(),
  measured: new Map(),
  ...over,
});

describe('alert evaluation', () => {
  it('measures each window a measured rule has in the batch: late events in their own period, hour or day', () => {
    const cells = [
      cell('2026-03-31T23:00:00Z', { team: 'ml' }),
      cell('2026-03-31T23:00:00Z', { team: 'web' }),
      cell('2026-04-01T01:00:00Z', { team: 'ml' }),
      cell('2026-04-01T01:00:00Z', { metricId: 'm2', team: 'ml' }),
      cell('2026-04-01T02:00:00Z', { metricId: 'm2', team: 'ml' }),
    ];
    const windows = (r: Partial<RuleTerms>) =>
      measureWindows([ruleTerms(r)], cells, metrics).map((w) => [w.start.toISOString(), w.end.toISOString(), w.aggregate]);
    expect(windows({ metricId: 'm1', team: 'ml' })).toEqual([
      ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 'quantity'],
      ['2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', 'quantity'],
    ]);
    expect(windows({ kind: AlertRuleKind.COST, thresholdAmount: '4', window: AlertWindow.HOUR })).toEqual([
      ['2026-03-31T23:00:00.000Z', '2026-04-01T00:00:00.000Z', 'cost'],
      ['2026-04-01T01:00:00.000Z', '2026-04-01T02:00:00.000Z', 'cost'],
      ['2026-04-01T02:00:00.000Z', '2026-04-01T03:00:00.000Z', 'cost'],
    ]);
    expect(windows({ kind: AlertRuleKind.COST, thresholdAmount: '4', window: AlertWindow.DAY })).toEqual([
      ['2026-03-31T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 'cost'],
      ['2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z', 'cost'],
    ]);
    expect(windows({ kind: AlertRuleKind.COST, thresholdAmount: '4', window: AlertWindow.DAY, project: 'p' })).toEqual([]);
    expect(windows({ metricId: 'm2', team: 'ml' })).toEqual([['2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', 'max']]);
    // Whole-period rules without a scope read the batch's own totals; forecast rules wait for the billing cycle.
    expect(windows({})).toEqual([]);
    expect(windows({ kind: AlertRuleKind.COST, window: AlertWindow.FORECAST, team: 'ml' })).toEqual([]);
  });

  it('takes an amount as it is and a percent of its base, or nothing without one', () => {
    expect(thresholdOf({ thresholdPercent: null, thresholdAmount: '12.5' }, null)?.toFixed()).toBe('12.5');
    expect(thresholdOf({ thresholdPercent: '80', thresholdAmount: null }, '250')?.toFixed()).toBe('200');
    expect(thresholdOf({ thresholdPercent: '80', thresholdAmount: null }, null)).toBeNull();
  });

  it('raises an alert once the value reaches a positive threshold', () => {
    const r = ruleTerms({});
    expect(crossed(r, 'k', 'usage', 'tokens', new Dec(10), new Dec(9.99), 'm')).toBeNull();
    expect(crossed(r, 'k', 'usage', 'tokens', new Dec(0), new Dec(5), 'm')).toBeNull();
    expect(crossed(r, 'k', 'usage', 'tokens', new Dec(10), new Dec(12), 'm')?.value).toBe('12');
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

  it('reports every threshold a value is at or past, whichever batch crossed it: the dedup key keeps one alert', () => {
    const rules = [
      ruleTerms({ id: 'usage80' }),
      ruleTerms({ id: 'usage95', thresholdPercent: '95' }),
      ruleTerms({ id: 'cost50', kind: AlertRuleKind.COST, thresholdPercent: '50' }),
    ];
    const fired = evaluateRules(
      rules,
      input({
        totals: [{ metricId: 'm1', periodStart: new Date(MARCH), quantity: new Dec(85) }],
        periodCosts: new Map([[MARCH, new Dec(6)]]),
      }),
    );
    // Past 80 % and 50 % before this batch (an earlier batch, or a rule created since): reported all the same.
    expect(fired.map((a) => [a.dedupKey, a.value])).toEqual([
      ['rule:usage80:m1:2026-03-01T00:00:00.000Z', '85'],
      ['rule:cost50:2026-03-01T00:00:00.000Z', '6'],
    ]);
  });

  it("compares a measured rule with the windows of the batch's events, late ones in their own period", () => {
    const rules = [
      ruleTerms({ id: 'team', metricId: 'm1', thresholdPercent: null, thresholdAmount: '10', team: 'ml' }),
      ruleTerms({ id: 'hour', kind: AlertRuleKind.COST, thresholdPercent: null, thresholdAmount: '4', window: AlertWindow.HOUR }),
    ];
    const fired = evaluateRules(
      rules,
      input({
        totals: [
          { metricId: 'm1', periodStart: new Date(MARCH), quantity: new Dec(30) },
          { metricId: 'm1', periodStart: new Date(APRIL), quantity: new Dec(40) },
        ],
        measured: new Map([
          [
            'team',
            new Map([
              [MARCH, new Dec(11)],
              [APRIL, new Dec(9)],
            ]),
          ],
          [
            'hour',
            new Map([
              [Date.parse('2026-03-31T23:00:00Z'), new Dec(5)],
              [Date.parse('2026-04-01T01:00:00Z'), new Dec(3)],
            ]),
          ],
        ]),
      }),
    );
    expect(fired.map((a) => [a.dedupKey, a.value, a.message])).toEqual([
      ['rule:team:m1:2026-03-01T00:00:00.000Z', '11', 'calls for team ml reached 10 call (11)'],
      ['rule:hour:2026-03-31T23:00:00.000Z', '5', 'Spend this hour reached 5 USD, past the limit of 4 USD'],
    ]);
  });
});
