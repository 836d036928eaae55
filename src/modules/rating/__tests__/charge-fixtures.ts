import { PriceModel } from '../../plan/price-model';
import type { ChargeRule } from '../charge-rule';

/** A per-unit charge with no price, allowance or limit, but for the terms given. */
export const chargeRule = (terms: Partial<ChargeRule>): ChargeRule => ({
  model: PriceModel.PER_UNIT,
  included: null,
  limit: null,
  hardLimit: false,
  unitPrice: null,
  packageSize: null,
  packagePrice: null,
  tiers: null,
  dimensionPrices: null,
  ...terms,
});
