import { registerEnumType } from 'type-graphql';

export enum Aggregation {
  SUM = 'SUM',
  COUNT = 'COUNT',
  MAX = 'MAX',
  UNIQUE_COUNT = 'UNIQUE_COUNT',
  LATEST = 'LATEST',
}

registerEnumType(Aggregation, {
  name: 'Aggregation',
  description: "How a period's events become one quantity.",
  valuesConfig: {
    SUM: { description: "Sum of the events' quantities." },
    COUNT: { description: 'Number of events (or of sessions, with sessionIdleMinutes).' },
    MAX: { description: 'Peak quantity seen in the period, e.g. storage GB.' },
    UNIQUE_COUNT: { description: 'Number of distinct values of `uniqueBy`.' },
    LATEST: { description: "Quantity of the period's last event." },
  },
});
