import Decimal from 'decimal.js';

/**
 * The one Decimal constructor for money and quantities: 40 significant digits,
 * so intermediate results never round; rounding happens once, at the line item.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Dec = Decimal;

export const ZERO = new Dec(0);

/** Rounds an amount to the currency's minor unit (half up). */
export const roundMoney = (amount: Decimal.Value, decimals: number): string => new Dec(amount).toDecimalPlaces(decimals).toFixed(decimals);
