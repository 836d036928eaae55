import type { ChargeTerms } from './price-calculator';

/** A plan's charge for one metric: its price terms and the quota ingestion enforces. */
export interface ChargeRule extends ChargeTerms {
  limit: string | null;
  hardLimit: boolean;
}
