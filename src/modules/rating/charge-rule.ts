import type { AllowedDimensions } from '../plan/charge-access';
import type { ChargeTerms } from './price-calculator';

/** A plan's charge for one metric: its price terms and the quota ingestion enforces. */
export interface ChargeRule extends ChargeTerms {
  limit: string | null;
  hardLimit: boolean;
  /** The only dimension values ingestion accepts; absent or null: any. (Optional: pricing alone never needs it.) */
  allowedDimensions?: AllowedDimensions | null;
  /** The feature that must be enabled for the metric to be recorded; absent or null: none. */
  requiresFeature?: string | null;
}
