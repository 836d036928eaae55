import { Dec, ZERO } from '../../../common/money/decimal';
import { averageOverDays, DailyPeaks } from '../ingest/daily-peaks';

const MARCH = new Date('2026-03-01T00:00:00Z');
/** A time on a day of March 2026 (1-based, as a calendar reads). */
const march = (day: number, hour = 12, minute = 0) => new Date(Date.UTC(2026, 2, day, hour, minute));

/** Applies readings in the order given, committing each, and returns the series. */
function readAll(readings: Array<[Date, string]>, start = MARCH): DailyPeaks {
  const days = new DailyPeaks(start);
  for (const [at, quantity] of readings) days.plan(at, new Dec(quantity)).commit();
  return days;
}

/**
 * The rule spelled out the slow way, as an oracle: the level is a step function of the readings (by timestamp),
 * each day's level is its highest value over the day, and the quantity their average.
 */
function byDefinition(readings: Array<[Date, string]>, dayCount: number, start = MARCH): Dec {
  const sorted = [...readings].sort((a, b) => a[0].getTime() - b[0].getTime());
  let sum = ZERO;
  for (let day = 0; day < dayCount; day++) {
    const from = start.getTime() + day * 86_400_000;
    const to = from + 86_400_000;
    const before = sorted.filter(([at]) => at.getTime() < from).at(-1);
    const within = sorted.filter(([at]) => at.getTime() >= from && at.getTime() < to).map(([, q]) => new Dec(q));
    sum = sum.plus(Dec.max(before ? new Dec(before[1]) : ZERO, ...within));
  }
  return averageOverDays(sum, dayCount);
}

describe('DailyPeaks: the peak of each day averaged over the month', () => {
  it('counts the days of the calendar month: 31 in March, 28 in February 2026, 30 in April', () => {
    expect(new DailyPeaks(MARCH).dayCount).toBe(31);
    expect(new DailyPeaks(new Date('2026-02-01T00:00:00Z')).dayCount).toBe(28);
    expect(new DailyPeaks(new Date('2028-02-01T00:00:00Z')).dayCount).toBe(29);
    expect(new DailyPeaks(new Date('2026-04-01T00:00:00Z')).dayCount).toBe(30);
    expect(new DailyPeaks(MARCH).quantity.toFixed()).toBe('0');
  });

  it('holds a reading to the end of the month: 100 GB from the 1st is 100, from the 11th is 21 of 31 days', () => {
    expect(readAll([[march(1, 0, 5), '100']]).quantity.toFixed()).toBe('100');
    // Days 1–10 count 0 (no reading yet), days 11–31 count 100: 2100 / 31, to 20 decimals.
    expect(readAll([[march(11), '100']]).quantity.toFixed()).toBe('67.74193548387096774194');
  });

  it("counts a day's peak, and carries its last reading on", () => {
    // The 1st peaks at 100 and ends at 40; the 2nd to the 31st hold 40: (100 + 30 × 40) / 31.
    const days = readAll([
      [march(1, 8), '100'],
      [march(1, 20), '40'],
    ]);
    expect(days.quantity.toFixed()).toBe(new Dec(1300).div(31).toDecimalPlaces(20).toFixed());
  });

  it('a day that falls below the level carried in still peaks at it: storage held until the reading', () => {
    // 100 from the 1st; 40 read at noon on the 5th: the 1st to the 5th count 100, the 6th to the 31st 40.
    const days = readAll([
      [march(1), '100'],
      [march(5), '40'],
    ]);
    expect(days.quantity.toFixed()).toBe(new Dec(5 * 100 + 26 * 40).div(31).toDecimalPlaces(20).toFixed());
  });

  it('the day closes on its latest reading by timestamp, whatever the order they arrive in', () => {
    const inOrder = readAll([
      [march(3, 9), '70'],
      [march(3, 18), '20'],
    ]);
    const late = readAll([
      [march(3, 18), '20'],
      [march(3, 9), '70'],
    ]);
    expect(late.quantity.toFixed()).toBe(inOrder.quantity.toFixed());
    // The 3rd peaks at 70, the 4th to the 31st hold 20.
    expect(late.quantity.toFixed()).toBe(new Dec(70 + 28 * 20).div(31).toDecimalPlaces(20).toFixed());
  });

  it('agrees with the definition for readings in any order, late ones included', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 40; round++) {
      const readings: Array<[Date, string]> = Array.from({ length: 1 + Math.floor(random() * 12) }, () => [
        march(1 + Math.floor(random() * 31), Math.floor(random() * 24), Math.floor(random() * 60)),
        (Math.floor(random() * 100_000) / 100).toFixed(2),
      ]);
      expect(readAll(readings).quantity.toFixed()).toBe(byDefinition(readings, 31).toFixed());
      expect(readAll([...readings].reverse()).quantity.toFixed()).toBe(byDefinition(readings, 31).toFixed());
    }
  });

  it('prices a reading without keeping it until committed, and lists the changed days to write', () => {
    const days = readAll([[march(2), '10']]);
    const planned = days.plan(march(4), new Dec('50'));
    expect(planned.after.toFixed()).toBe(new Dec(2 * 10 + 28 * 50).div(31).toDecimalPlaces(20).toFixed());
    expect(days.quantity.toFixed()).toBe(new Dec(30 * 10).div(31).toDecimalPlaces(20).toFixed());
    planned.commit();
    expect(days.quantity.toFixed()).toBe(planned.after.toFixed());
    expect(days.changed.map((d) => [d.day.toISOString(), d.peak.toFixed(), d.close.toFixed()])).toEqual([
      ['2026-03-02T00:00:00.000Z', '10', '10'],
      ['2026-03-04T00:00:00.000Z', '50', '50'],
    ]);
  });

  it('picks up where the stored days left off', () => {
    const first = readAll([
      [march(2, 6), '10'],
      [march(2, 7), '5'],
      [march(9), '30'],
    ]);
    const loaded = new DailyPeaks(MARCH, first.changed);
    expect(loaded.quantity.toFixed()).toBe(first.quantity.toFixed());
    expect(loaded.changed).toEqual([]);
    loaded.plan(march(20), new Dec('12')).commit();
    first.plan(march(20), new Dec('12')).commit();
    expect(loaded.quantity.toFixed()).toBe(first.quantity.toFixed());
  });

  it('refuses a reading outside its period', () => {
    expect(() => new DailyPeaks(MARCH).plan(new Date('2026-04-01T00:00:00Z'), new Dec(1))).toThrow(RangeError);
  });
});
