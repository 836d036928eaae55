import type { Money } from './api';

/** Amounts and quantities are exact decimal strings: Intl formats the strings themselves, without going through floats. */

const quantityFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 });
const moneyFormats = new Map<string, Intl.NumberFormat>();

export const quantity = (value: string | number): string => quantityFormat.format(value as Intl.StringNumericLiteral);

export function money(value: Money | string, currency?: string): string {
  const { amount, currency: code } = typeof value === 'string' ? { amount: value, currency: currency ?? 'USD' } : value;
  let format = moneyFormats.get(code);
  if (!format) moneyFormats.set(code, (format = new Intl.NumberFormat(undefined, { style: 'currency', currency: code })));
  return format.format(amount as Intl.StringNumericLiteral);
}

export const percent = (value: number): string => `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(value)} %`;

export const dateTime = (iso: string): string => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const time = (date: Date): string => date.toLocaleTimeString();

/** Due dates and period bounds are UTC instants; shown as that UTC day. */
export const date = (iso: string): string => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** Billing periods are UTC months; the end is exclusive, so the last day shown is the day before it. */
export function period(start: string, end: string): string {
  return `${date(start)} – ${date(new Date(Date.parse(end) - 1).toISOString())}`;
}
