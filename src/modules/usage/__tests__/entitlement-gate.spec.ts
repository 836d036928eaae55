import { ErrorCode } from '../../../common/errors/error-code';
import { Dec } from '../../../common/money/decimal';
import { Aggregation } from '../../metric/aggregation';
import type { MetricDefinition } from '../../metric/metric-definition';
import type { Plan } from '../../plan/plan.entity';
import { chargeRule } from '../../rating/__tests__/charge-fixtures';
import type { PlanTerms } from '../../rating/rating-catalog';
import { admitEntitled } from '../ingest/entitlement-gate';
import type { NormalizedEvent, Rejection } from '../ingest/normalized-event';

const metric = (id: string): MetricDefinition => ({
  id,
  code: id,
  aggregation: Aggregation.SUM,
  uniqueBy: null,
  eventRounding: null,
  sessionIdleMinutes: null,
  sessionKey: null,
});
const event = (index: number, metricId: string, dimensions: Record<string, string> = {}): NormalizedEvent => ({
  index,
  id: `e${index}`,
  metric: metric(metricId),
  rawQuantity: new Dec(1),
  quantity: new Dec(1),
  occurredAt: new Date(0),
  periodStart: new Date(0),
  team: null,
  project: null,
  user: null,
  dimensions,
  dimensionsJson: JSON.stringify(dimensions),
});
const terms: PlanTerms = {
  plan: {} as Plan,
  charges: new Map([
    ['calls', chargeRule({ unitPrice: '0.01', allowedDimensions: { connector: ['notion'] } })],
    ['managed', chargeRule({ unitPrice: '0', requiresFeature: 'managed_models' })],
    ['open', chargeRule({ unitPrice: '1' })],
  ]),
  features: new Map([['managed_models', false]]),
};

describe('admitEntitled', () => {
  it('keeps the allowed events in order and adds one NOT_ENTITLED rejection per refused event', () => {
    const rejected: Rejection[] = [];
    const events = [
      event(0, 'open'),
      event(1, 'calls', { connector: 'notion' }),
      event(2, 'calls', { connector: 'slack' }),
      event(3, 'unknown'),
      event(4, 'managed'),
      event(5, 'calls'),
    ];
    expect(admitEntitled(events, terms, new Map(), rejected).map((e) => e.index)).toEqual([0, 1]);
    expect(rejected.map((r) => [r.index, r.id, r.code, r.reason])).toEqual([
      [2, 'e2', ErrorCode.NOT_ENTITLED, 'DIMENSION_NOT_ALLOWED'],
      [3, 'e3', ErrorCode.NOT_ENTITLED, 'NOT_IN_PLAN'],
      [4, 'e4', ErrorCode.NOT_ENTITLED, 'FEATURE_DISABLED'],
      [5, 'e5', ErrorCode.NOT_ENTITLED, 'DIMENSION_NOT_ALLOWED'],
    ]);
  });

  it("reads the organisation's overrides: a feature switched on opens its gate, a metric switched off is refused", () => {
    const rejected: Rejection[] = [];
    const overrides = new Map([
      ['managed_models', true],
      ['open', false],
    ]);
    expect(admitEntitled([event(0, 'managed'), event(1, 'open')], terms, overrides, rejected).map((e) => e.index)).toEqual([0]);
    expect(rejected).toEqual([expect.objectContaining({ index: 1, reason: 'FEATURE_DISABLED' })]);
  });

  it('refuses everything without a plan', () => {
    const rejected: Rejection[] = [];
    expect(admitEntitled([event(0, 'open')], null, new Map(), rejected)).toEqual([]);
    expect(rejected).toEqual([expect.objectContaining({ reason: 'NOT_IN_PLAN', code: ErrorCode.NOT_ENTITLED })]);
  });
});
