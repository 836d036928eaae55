import { Dec, ZERO } from '../../common/money/decimal';
import type { DimensionPrice, Tier } from '../plan/dto/plan-charge.types';
import { PriceModel } from '../plan/price-model';

/** The pricing-relevant part of a plan charge, with amounts as decimal strings. */
export interface ChargeTerms {
  model: PriceModel;
  included: string | null;
  unitPrice: string | null;
  packageSize: string | null;
  packagePrice: string | null;
  tiers: Tier[] | null;
  dimensionPrices: DimensionPrice[] | null;
}

export type Dimensions = Record<string, string | number | boolean>;

const parsed = new Map<string, Dec>();

/** Prices and allowances come from a small catalogue, read per event at ingest: each text is parsed once. */
function decimalOf(text: string): Dec {
  let value = parsed.get(text);
  if (value === undefined) {
    value = new Dec(text);
    if (parsed.size < 10_000) parsed.set(text, value);
  }
  return value;
}

/** Quantity above the included allowance. */
export function billable(total: Dec, included: string | null): Dec {
  const units = included === null ? total : total.minus(decimalOf(included));
  return units.isNegative() ? ZERO : units;
}

/**
 * What a period's total quantity costs under a charge whose price does not
 * depend on dimensions. Every model prices usage above `included`.
 */
export function costOfTotal(charge: ChargeTerms, total: Dec): Dec {
  const units = billable(total, charge.included);
  if (units.isZero()) return ZERO;
  switch (charge.model) {
    case PriceModel.PER_UNIT:
      return units.times(charge.unitPrice ?? 0);
    case PriceModel.PACKAGE:
      // Every started package is paid in full: 501 calls at "500 for $5" are 2 packages.
      return units.div(charge.packageSize!).ceil().times(charge.packagePrice!);
    case PriceModel.GRADUATED: {
      let cost = ZERO;
      let lower = ZERO;
      for (const tier of charge.tiers ?? []) {
        const upper = tier.upTo === null ? null : new Dec(tier.upTo);
        const inTier = Dec.max(ZERO, Dec.min(units, upper ?? units).minus(lower));
        if (inTier.greaterThan(0)) cost = cost.plus(inTier.times(tier.unitPrice)).plus(tier.flatPrice ?? 0);
        if (upper === null || units.lessThanOrEqualTo(upper)) break;
        lower = upper;
      }
      return cost;
    }
    case PriceModel.VOLUME: {
      // The tier the whole quantity falls in prices every unit; a quantity exactly at upTo stays in that tier.
      const tiers = charge.tiers ?? [];
      const tier = tiers.find((t) => t.upTo === null || units.lessThanOrEqualTo(t.upTo)) ?? tiers[tiers.length - 1];
      return tier ? units.times(tier.unitPrice).plus(tier.flatPrice ?? 0) : ZERO;
    }
  }
}

/**
 * The rate-card price for an event: the entry whose dimensions all match the
 * event, the most specific one when several do; otherwise the charge's
 * unitPrice; null when neither prices it.
 */
export function unitPriceFor(charge: ChargeTerms, dimensions: Dimensions): string | null {
  let best: DimensionPrice | undefined;
  let bestSize = -1;
  for (const entry of charge.dimensionPrices ?? []) {
    const keys = Object.keys(entry.dimensions);
    if (keys.length > bestSize && keys.every((k) => dimensions[k] !== undefined && String(dimensions[k]) === entry.dimensions[k])) {
      best = entry;
      bestSize = keys.length;
    }
  }
  return best?.unitPrice ?? charge.unitPrice;
}

export const hasRateCard = (charge: ChargeTerms): boolean => (charge.dimensionPrices?.length ?? 0) > 0;

/**
 * What one event adds to the period's cost, given the metric's total before
 * and after it. Costs telescope: the events' costs sum exactly to the cost of
 * the period total. With a rate card, only the event's own billable units are
 * priced, at its dimensions' price; included units are the first recorded.
 */
export function marginalCost(charge: ChargeTerms, before: Dec, after: Dec, unitPrice: string | null): Dec {
  if (!hasRateCard(charge)) return costOfTotal(charge, after).minus(costOfTotal(charge, before));
  const billableAfter = billable(after, charge.included);
  const billableBefore = billable(before, charge.included);
  return billableAfter.minus(billableBefore).times(unitPrice === null ? ZERO : decimalOf(unitPrice));
}
