import { isUnfiltered, isWholeMonths, resolvePeriod, type QueryContext } from '../usage-read-scope';
import { UsageErrorReason } from '../usage.error';

const context: QueryContext = { currency: 'USD', now: new Date('2026-03-14T09:30:00Z'), subscription: null };

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { reason?: string }).reason;
  }
  return undefined;
};

describe('resolvePeriod', () => {
  it('defaults to the calendar month (UTC) of the organisation’s clock', () => {
    expect(resolvePeriod(context)).toEqual({ start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') });
  });

  it('keeps a period of whole hours as given', () => {
    const from = new Date('2026-01-05T10:00:00Z');
    const to = new Date('2026-01-07T00:00:00Z');
    expect(resolvePeriod(context, { from, to })).toEqual({ start: from, end: to });
  });

  it('refuses empty or reversed periods, bounds off the hour and periods over 400 days', () => {
    const at = (iso: string) => new Date(iso);
    expect(reasonOf(() => resolvePeriod(context, { from: at('2026-01-02T00:00:00Z'), to: at('2026-01-02T00:00:00Z') }))).toBe(
      UsageErrorReason.INVALID_PERIOD,
    );
    expect(reasonOf(() => resolvePeriod(context, { from: at('2026-01-02T00:30:00Z'), to: at('2026-01-03T00:00:00Z') }))).toBe(
      UsageErrorReason.INVALID_PERIOD,
    );
    expect(reasonOf(() => resolvePeriod(context, { from: at('2025-01-01T00:00:00Z'), to: at('2026-02-06T00:00:00Z') }))).toBe(
      UsageErrorReason.INVALID_PERIOD,
    );
  });
});

describe('isWholeMonths', () => {
  it('holds for one or several calendar months and not for a part of one', () => {
    expect(isWholeMonths({ start: new Date('2026-02-01T00:00:00Z'), end: new Date('2026-03-01T00:00:00Z') })).toBe(true);
    expect(isWholeMonths({ start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') })).toBe(true);
    expect(isWholeMonths({ start: new Date('2026-02-01T00:00:00Z'), end: new Date('2026-02-28T00:00:00Z') })).toBe(false);
    expect(isWholeMonths({ start: new Date('2026-02-01T01:00:00Z'), end: new Date('2026-03-01T00:00:00Z') })).toBe(false);
  });
});

describe('isUnfiltered', () => {
  it('ignores the metric, which whole-organisation figures can still be narrowed to', () => {
    expect(isUnfiltered({ metricId: 'm' })).toBe(true);
    expect(isUnfiltered({ team: 'core' })).toBe(false);
    expect(isUnfiltered({ dimensions: { model: 'gpt-4' } })).toBe(false);
  });
});
