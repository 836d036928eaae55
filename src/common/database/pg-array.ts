/**
 * PostgreSQL array literals built directly: node-postgres escapes every
 * element with two regular expressions, which dominates for the thousands of
 * elements a usage batch sends.
 */

/** Values that never need quoting: uuids, plain decimals, ISO timestamps, integers. */
export function plainArray(values: ReadonlyArray<string | number | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (i ? ',' : '') + (v === null || v === undefined ? 'NULL' : v);
  }
  return out + '}';
}

const NEEDS_ESCAPE = /["\\]/;

/** Any text: each element quoted, with `"` and `\` escaped; null as NULL. */
export function textArray(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else out += '"' + (NEEDS_ESCAPE.test(v) ? v.replace(/["\\]/g, '\\$&') : v) + '"';
  }
  return out + '}';
}
