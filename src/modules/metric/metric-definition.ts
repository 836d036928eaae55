import type { Aggregation } from './aggregation';

/** The metric settings ingestion needs. */
export interface MetricDefinition {
  id: string;
  code: string;
  aggregation: Aggregation;
  uniqueBy: string | null;
  eventRounding: string | null;
  sessionIdleMinutes: number | null;
  sessionKey: string | null;
}
