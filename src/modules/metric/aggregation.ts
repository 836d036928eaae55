import { registerEnumType } from 'type-graphql';

export enum Aggregation {
  SUM = 'SUM',
  COUNT = 'COUNT',
  MAX = 'MAX',
  UNIQUE_COUNT = 'UNIQUE_COUNT',
  LATEST = 'LATEST',
  DAILY_PEAK_AVERAGE = 'DAILY_PEAK_AVERAGE',
}

/**
 * A level (storage held, seats taken) rather than an amount used: a period's quantity is not the sum of its days'
 * or of its dimension sets', so projections keep it as it is instead of extrapolating it.
 */
export const isLevel = (aggregation: Aggregation): boolean =>
  aggregation === Aggregation.MAX || aggregation === Aggregation.LATEST || aggregation === Aggregation.DAILY_PEAK_AVERAGE;

registerEnumType(Aggregation, {
  name: 'Aggregation',
  description: "How a period's events become one quantity.",
  valuesConfig: {
    SUM: { description: "Sum of the events' quantities." },
    COUNT: { description: 'Number of events (or of sessions, with sessionIdleMinutes).' },
    MAX: { description: 'Peak quantity seen in the period, e.g. storage GB.' },
    UNIQUE_COUNT: { description: 'Number of distinct values of `uniqueBy`.' },
    LATEST: { description: "Quantity of the period's last event." },
    DAILY_PEAK_AVERAGE: {
      description:
        'Each event is a reading of a level (e.g. storage GB). Each UTC day of the billing month counts its peak: ' +
        'the highest of its readings and of the level carried in from the last reading before it (the level persists ' +
        "until the next reading; before the month's first reading it is 0). The quantity is the sum of the daily peaks " +
        'divided by the number of days in the month, to 20 decimals. Mid-month, the days after the last reading hold its ' +
        'level: the quantity so far is what the month bills if no further reading comes. Over several whole months the ' +
        "months' quantities add up (e.g. GB-months); over part of a month or a filtered slice, `used` is the highest reading in it.",
    },
  },
});
