import { forecastDaily, tQuantile, type DailyPoint, type ForecastBand } from '../forecast-model';

const DAY = 86_400_000;
const MONDAY = Date.UTC(2026, 2, 2);
const dayAt = (t: number) => new Date(MONDAY + t * DAY);
const series = (days: number, value: (t: number, dow: number) => number): DailyPoint[] =>
  Array.from({ length: days }, (_, t) => ({ day: dayAt(t), value: value(t, dayAt(t).getUTCDay()) }));
const next = (from: number, count: number) => Array.from({ length: count }, (_, i) => dayAt(from + i));
/** Deterministic, zero-mean-ish wiggle of ±`share`: enough noise for a residual spread without a PRNG. */
const wiggle = (t: number, share: number) => 1 + share * Math.sin(t * 2.39996);
/** Busy weekdays, quiet weekend: Sunday (0) 0.4, Monday 1.2 … Saturday 0.5. */
const WEEK = [0.4, 1.2, 1.1, 1, 1, 0.9, 0.5];

const expectOrdered = (b: ForecastBand) => {
  expect(b.low95).toBeGreaterThanOrEqual(0);
  expect(b.low95).toBeLessThanOrEqual(b.low80);
  expect(b.low80).toBeLessThanOrEqual(b.expected);
  expect(b.expected).toBeLessThanOrEqual(b.high80);
  expect(b.high80).toBeLessThanOrEqual(b.high95);
};

describe('forecastDaily', () => {
  it('extrapolates a pure linear trend almost exactly, with collapsed intervals', () => {
    const result = forecastDaily(
      series(28, (t) => 100 + 2 * t),
      next(28, 10),
    );
    expect(result).toMatchObject({ sufficientHistory: true, method: 'trend+weekly', historyDays: 28, anomalies: [] });
    result.days.forEach((d, i) => {
      expect(d.expected).toBeCloseTo(100 + 2 * (28 + i), 6);
      expect(d.high95 - d.low95).toBeLessThan(1e-6);
    });
    expect(result.total.expected).toBeCloseTo(sum(Array.from({ length: 10 }, (_, i) => 100 + 2 * (28 + i))), 6);
    // 2 a day over 30 days, relative to the level on the last history day (154)
    expect(result.growthRate).toBeCloseTo(60 / 154, 6);
  });

  it('reproduces a weekly pattern on the right weekdays, growing with the trend', () => {
    const level = (t: number) => 200 + 3 * t;
    const history = series(56, (t, dow) => level(t) * (WEEK[dow] ?? 1) * wiggle(t, 0.05));
    const result = forecastDaily(history, next(56, 14));
    expect(result.method).toBe('trend+weekly');
    result.days.forEach((d, i) => {
      const truth = level(56 + i) * (WEEK[d.day.getUTCDay()] ?? 1);
      expect(Math.abs(d.expected / truth - 1)).toBeLessThan(0.03);
      expect(d.low95).toBeLessThan(truth);
      expect(d.high95).toBeGreaterThan(truth);
    });
    const [sunday, monday] = [result.days[13], result.days[7]];
    expect(sunday?.day.getUTCDay()).toBe(0);
    expect(monday?.day.getUTCDay()).toBe(1);
    expect(monday?.expected).toBeGreaterThan(2.5 * (sunday?.expected ?? 0));
    expect(result.growthRate).toBeGreaterThan(0.2);
  });

  it('reports a spike as an anomaly with a high score, without letting it distort the forecast', () => {
    const normal = (t: number, dow: number) => (150 + t) * (WEEK[dow] ?? 1) * wiggle(t, 0.05);
    const clean = series(49, normal);
    const spiked = series(49, (t, dow) => normal(t, dow) * (t === 30 ? 4 : 1));
    const future = next(49, 21);
    const withSpike = forecastDaily(spiked, future);
    const without = forecastDaily(clean, future);

    expect(withSpike.anomalies).toHaveLength(1);
    expect(withSpike.anomalies[0]).toMatchObject({ day: dayAt(30), value: spiked[30]?.value });
    expect(withSpike.anomalies[0]?.score).toBeGreaterThan(20);
    expect(withSpike.anomalies[0]?.expected).toBeCloseTo(normal(30, dayAt(30).getUTCDay()), -1);
    expect(without.anomalies).toEqual([]);
    expect(Math.abs(withSpike.total.expected / without.total.expected - 1)).toBeLessThan(0.005);
  });

  it('finds several spikes on the same weekday', () => {
    const history = series(63, (t, dow) => 100 * (WEEK[dow] ?? 1) * wiggle(t, 0.05) * ([14, 28, 42].includes(t) ? 4 : 1));
    const result = forecastDaily(history, next(63, 7));
    expect(result.anomalies.map((a) => a.day)).toEqual([dayAt(14), dayAt(28), dayAt(42)]);
    expect(result.days[0]?.expected).toBeCloseTo(100 * (WEEK[1] ?? 1), -1);
  });

  it('falls back to the run rate with wide intervals below 7 days, and drops the weekly terms below 14', () => {
    const short = forecastDaily(
      series(5, (t) => 10 + t),
      next(5, 10),
    );
    expect(short).toMatchObject({ sufficientHistory: false, method: 'run-rate', historyDays: 5, growthRate: 0, anomalies: [] });
    short.days.forEach((d) => expect(d.expected).toBeCloseTo(12, 9));
    expect(short.total.expected).toBeCloseTo(120, 9);
    expect(short.total.high95).toBeGreaterThan(1.5 * short.total.expected);
    expect(short.total.low80).toBeLessThan(0.7 * short.total.expected);

    const medium = forecastDaily(
      series(10, (t) => 10 + t),
      next(10, 3),
    );
    expect(medium).toMatchObject({ sufficientHistory: true, method: 'trend', historyDays: 10 });
    expect(medium.days[0]?.expected).toBeCloseTo(20, 6);
  });

  it('returns zeros without history, and for an all-zero history', () => {
    const empty = forecastDaily([], next(0, 3));
    expect(empty).toMatchObject({ sufficientHistory: false, method: 'run-rate', historyDays: 0, growthRate: 0, anomalies: [] });
    expect(empty.days).toEqual(next(0, 3).map((day) => ({ day, expected: 0, low80: 0, high80: 0, low95: 0, high95: 0 })));
    expect(empty.total).toEqual({ expected: 0, low80: 0, high80: 0, low95: 0, high95: 0 });

    const zeros = forecastDaily(
      series(30, () => 0),
      next(30, 3),
    );
    expect(zeros).toMatchObject({ sufficientHistory: true, method: 'trend+weekly', growthRate: 0, anomalies: [] });
    expect(zeros.total).toEqual({ expected: 0, low80: 0, high80: 0, low95: 0, high95: 0 });
  });

  it('keeps sparse bursts in the level instead of trimming them as spikes', () => {
    const result = forecastDaily(
      series(60, (t) => (t % 3 === 0 ? 100 : 0)),
      next(60, 30),
    );
    expect(result.anomalies).toEqual([]);
    expect(result.total.expected).toBeGreaterThan(700);
    expect(result.total.low95).toBeLessThan(1000);
    expect(result.total.high95).toBeGreaterThan(1000);
  });

  it('orders the intervals, clamps at zero, and makes the sum interval narrower than the summed daily bounds', () => {
    const growing = forecastDaily(
      series(70, (t, dow) => (500 + 4 * t) * (WEEK[dow] ?? 1) * wiggle(t, 0.1)),
      next(70, 30),
    );
    const falling = forecastDaily(
      series(40, (t) => Math.max(0, 200 - 6 * t) * wiggle(t, 0.2)),
      next(40, 30),
    );
    const short = forecastDaily(
      series(10, (t) => 50 * wiggle(t, 0.3)),
      next(10, 5),
    );
    const tiny = forecastDaily(
      series(3, (t) => 5 + t),
      next(3, 5),
    );
    for (const result of [growing, falling, short, tiny]) {
      result.days.forEach(expectOrdered);
      expectOrdered(result.total);
    }
    expect(falling.days.at(-1)).toMatchObject({ expected: 0, low80: 0, low95: 0 });
    const width = (b: ForecastBand) => b.high95 - b.low95;
    expect(width(growing.total)).toBeLessThan(sum(growing.days.map(width)) / 2);
  });
});

describe('tQuantile', () => {
  it('matches Student t tables', () => {
    expect(tQuantile(1.959963984540054, 5)).toBeCloseTo(2.5706, 3);
    expect(tQuantile(1.2815515655446004, 5)).toBeCloseTo(1.4759, 3);
    expect(tQuantile(1.959963984540054, 30)).toBeCloseTo(2.0423, 3);
  });
});

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
