const KNOWN = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 codes known to the runtime's ICU data. */
export const isCurrency = (code: string): boolean => /^[A-Z]{3}$/.test(code) && KNOWN.has(code);

/** Digits after the decimal point in the currency's minor unit: USD 2, JPY 0, KWD 3. */
export function minorUnits(code: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}
