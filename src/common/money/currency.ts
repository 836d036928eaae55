const KNOWN = new Set(Intl.supportedValuesOf('currency'));
// Intl.NumberFormat is slow to build; currencies are few.
const DIGITS = new Map<string, number>();

/** ISO 4217 codes known to the runtime's ICU data. */
export const isCurrency = (code: string): boolean => /^[A-Z]{3}$/.test(code) && KNOWN.has(code);

/** Digits after the decimal point in the currency's minor unit: USD 2, JPY 0, KWD 3. */
export function minorUnits(code: string): number {
  let digits = DIGITS.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    DIGITS.set(code, digits);
  }
  return digits;
}
