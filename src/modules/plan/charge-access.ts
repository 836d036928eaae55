/**
 * What a charge lets through at all, beside what it costs: an allow-list of
 * dimension values (seed 000's Free tier: basic connectors only) and a feature
 * that gates the metric (seed 001's Free tier: no managed Bedrock).
 */

/** Dimension name → the only values an event may carry for it, e.g. {"connector": ["notion", "google_workspace"]}. */
export type AllowedDimensions = Record<string, string[]>;

/** As event dimension keys, so every key an event may carry can be listed. */
const DIMENSION_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;
export const MAX_ALLOWED_DIMENSIONS = 20;
export const MAX_ALLOWED_VALUES = 100;
/** As an event's text dimension value. */
export const MAX_ALLOWED_VALUE_TEXT = 200;

/** The allow-list as stored (keys sorted, values unique in the given order), or why it is refused. */
export function parseAllowedDimensions(value: unknown): AllowedDimensions | string {
  const example = 'e.g. {"connector": ["notion", "google_workspace"]}';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `allowedDimensions must be an object of dimension names to lists of values, ${example}`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return `allowedDimensions names no dimension, ${example}`;
  if (entries.length > MAX_ALLOWED_DIMENSIONS) return `allowedDimensions names more than ${MAX_ALLOWED_DIMENSIONS} dimensions`;
  const parsed: AllowedDimensions = {};
  for (const [key, values] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const name = JSON.stringify(key.slice(0, 70));
    if (!DIMENSION_KEY.test(key) || key === '__proto__') return `allowedDimensions: ${name} is not a valid dimension key`;
    if (!Array.isArray(values) || values.length === 0) return `allowedDimensions: ${name} needs a non-empty list of values`;
    if (values.length > MAX_ALLOWED_VALUES) return `allowedDimensions: ${name} lists more than ${MAX_ALLOWED_VALUES} values`;
    const valid = values.every((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ALLOWED_VALUE_TEXT);
    if (!valid) return `allowedDimensions: the values of ${name} must be strings of 1 to ${MAX_ALLOWED_VALUE_TEXT} characters`;
    parsed[key] = [...new Set(values as string[])];
  }
  return parsed;
}
