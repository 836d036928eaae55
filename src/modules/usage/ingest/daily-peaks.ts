import { Dec, ZERO } from '../../../common/money/decimal';
import { QUANTITY_BOUNDS } from '../../../common/money/decimal-bounds';
import { monthPeriod } from '../../../common/time/billing-period';

const DAY = 86_400_000;

/** The readings of one UTC day of a DAILY_PEAK_AVERAGE metric's period. */
export interface DayReadings {
  /** Midnight UTC starting the day. */
  day: Date;
  /** The day's highest reading. */
  peak: Dec;
  /** The day's last reading (by timestamp): the level the following days start from. */
  close: Dec;
  closeAt: Date;
}

/**
 * A period's quantity from its sum of daily levels: their average over the period's days. Rounded to the decimals
 * an event's quantity may have, because a thirty-first is no finite decimal: stored quantities and the costs priced
 * from them then add up exactly, and money is still rounded only at the line.
 */
export const averageOverDays = (levelSum: Dec, days: number): Dec => levelSum.div(days).toDecimalPlaces(QUANTITY_BOUNDS.decimals);

/**
 * The day-by-day levels of one DAILY_PEAK_AVERAGE metric in one billing period (a UTC month). A reading is a level
 * that persists until the next one, so a day's level is the highest of the level carried in (the last reading
 * before the day, 0 before the period's first) and the day's own readings; a day without readings keeps the level
 * carried in. The period's quantity is the average of its days' levels, the days after the last reading holding
 * its level: what the period bills if no further reading comes, so it changes only with readings (each reading's
 * delta and cost telescope to the period's, as for every other aggregation). Pure.
 */
export class DailyPeaks {
  readonly dayCount: number;
  private readonly days: Array<DayReadings | undefined>;
  private readonly changedDays = new Set<number>();
  private levelSum: Dec;

  constructor(
    readonly periodStart: Date,
    readings: readonly DayReadings[] = [],
  ) {
    const period = monthPeriod(periodStart);
    this.dayCount = Math.round((period.end.getTime() - period.start.getTime()) / DAY);
    this.days = new Array<DayReadings | undefined>(this.dayCount).fill(undefined);
    for (const reading of readings) this.days[this.indexOf(reading.day)] = reading;
    this.levelSum = this.sumLevels(0, this.dayCount - 1, (i) => this.days[i]);
  }

  /** The period's quantity: the average of its days' levels. */
  get quantity(): Dec {
    return averageOverDays(this.levelSum, this.dayCount);
  }

  /** The days whose readings changed since loading, to be written back. */
  get changed(): DayReadings[] {
    return [...this.changedDays].sort((a, b) => a - b).map((i) => this.days[i]!);
  }

  /**
   * The period's quantity once a reading taken at `at` is added, and the commit that keeps it (not called when
   * the reading is refused). A reading changes its own day and the days that carry its day's level on, up to and
   * including the next day with readings.
   */
  plan(at: Date, quantity: Dec): { after: Dec; commit: () => void } {
    const index = this.indexOf(at);
    const old = this.days[index];
    const next: DayReadings = old
      ? {
          day: old.day,
          peak: Dec.max(old.peak, quantity),
          // The later timestamp closes the day; of two at the same time, the one applied last.
          close: at >= old.closeAt ? quantity : old.close,
          closeAt: at >= old.closeAt ? at : old.closeAt,
        }
      : { day: new Date(this.periodStart.getTime() + index * DAY), peak: quantity, close: quantity, closeAt: at };
    let last = index + 1;
    while (last < this.dayCount && !this.days[last]) last++;
    last = Math.min(last, this.dayCount - 1);
    const before = this.sumLevels(index, last, (i) => this.days[i]);
    const after = this.sumLevels(index, last, (i) => (i === index ? next : this.days[i]));
    const levelSum = this.levelSum.plus(after).minus(before);
    return {
      after: averageOverDays(levelSum, this.dayCount),
      commit: () => {
        this.days[index] = next;
        this.changedDays.add(index);
        this.levelSum = levelSum;
      },
    };
  }

  private indexOf(at: Date): number {
    const index = Math.floor((at.getTime() - this.periodStart.getTime()) / DAY);
    if (index < 0 || index >= this.dayCount)
      throw new RangeError(`${at.toISOString()} is outside the period of ${this.periodStart.toISOString()}`);
    return index;
  }

  /** The sum of the levels of days `from` to `through`, reading each day's readings through `readingsOf`. */
  private sumLevels(from: number, through: number, readingsOf: (index: number) => DayReadings | undefined): Dec {
    let carried = ZERO;
    for (let i = from - 1; i >= 0; i--) {
      const readings = readingsOf(i);
      if (readings) {
        carried = readings.close;
        break;
      }
    }
    let sum = ZERO;
    for (let i = from; i <= through; i++) {
      const readings = readingsOf(i);
      sum = sum.plus(readings ? Dec.max(carried, readings.peak) : carried);
      if (readings) carried = readings.close;
    }
    return sum;
  }
}
