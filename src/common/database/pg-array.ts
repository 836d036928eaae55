/**
 * PostgreSQL array literals built directly: node-postgres escapes every
 * element with two regular expressions, which dominates for the thousands of
 * elements a usage batch or a close wave sends; built ahead, they can also be
 * made while the previous statement runs.
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

/** Any values: each element quoted, with `"` and `\` escaped; null as NULL. The literal node-postgres itself would write. */
export function textArray(values: ReadonlyArray<string | number | null | undefined>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else {
      const text = typeof v === 'string' ? v : String(v);
      out += '"' + (NEEDS_ESCAPE.test(text) ? text.replace(/["\\]/g, '\\$&') : text) + '"';
    }
  }
  return out + '}';
}

/**
 * Repeated values sent once: `items` holds each distinct value and `index`
 * each input's 1-based position in it, for `(items)[index]` in SQL. A batch's
 * thousand events share a few metrics and dimension sets, and PostgreSQL
 * parses each jsonb element of an array parameter at a cost of microseconds.
 */
export function dictionary<T>(values: ReadonlyArray<T>): { items: T[]; index: number[] } {
  const positions = new Map<T, number>();
  const items: T[] = [];
  const index = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let position = positions.get(value);
    if (position === undefined) {
      items.push(value);
      position = items.length;
      positions.set(value, position);
    }
    index[i] = position;
  }
  return { items, index };
}
