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

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a text is a finite decimal number ("12", "0.00025", "1e-7"). */
export const isDecimalText = (value: string): boolean => DECIMAL_TEXT.test(value.trim());
