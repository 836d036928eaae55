/**
 * PostgreSQL array literals built directly: node-postgres escapes every
 * element with two regular expressions, which dominates for the thousands of
 * elements a usage batch or a close wave sends; built ahead, they can also be
 * made while the previous statement runs.
 */

const isNull = (v: unknown): boolean => v === null || v === undefined;
const NEEDS_ESCAPE = /["\\]/;

// Literals are joined, not concatenated element by element: a batch's thousands of `+=` made ropes of
// pieces that V8 then flattened, a sixth of everything the ingest allocated.

/** Values that never need quoting: uuids, plain decimals, ISO timestamps, integers. */
export function plainArray(values: ReadonlyArray<string | number | null>): string {
  return `{${(values.some(isNull) ? values.map((v) => v ?? 'NULL') : values).join(',')}}`;
}

/** Any values: each element quoted, with `"` and `\` escaped; null as NULL. The literal node-postgres itself would write. */
export function textArray(values: ReadonlyArray<string | number | null | undefined>): string {
  if (values.length === 0) return '{}';
  const plain = !values.some((v) => isNull(v) || (typeof v === 'string' && NEEDS_ESCAPE.test(v)));
  if (plain) return `{"${values.join('","')}"}`;
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
 * Repeated values sent once: `items` holds each distinct value and `add`
 * returns a value's 1-based position in it, for `(items)[position]` in SQL.
 * A batch's thousand events share a few metrics, teams and dimension sets,
 * and PostgreSQL parses every element of an array parameter (a jsonb one at
 * several microseconds).
 */
export class Dictionary<T> {
  readonly items: T[] = [];
  private readonly positions = new Map<T, number>();

  add(value: T): number {
    let position = this.positions.get(value);
    if (position === undefined) {
      position = this.items.push(value);
      this.positions.set(value, position);
    }
    return position;
  }
}

/**
 * Named parameters of one statement: `sql.name` is its `$n`, and `values`
 * orders a record by the names. Keeps a statement of fifty parameters
 * readable and its numbering right.
 */
export function namedParameters<N extends string>(names: readonly N[]) {
  const sql = Object.fromEntries(names.map((name, i) => [name, `$${i + 1}`])) as Record<N, string>;
  return { sql, values: (byName: Record<N, unknown>): unknown[] => names.map((name) => byName[name]) };
}

/** A statement's text and how to order its parameters' values. */
export interface NamedStatement<N extends string> {
  readonly text: string;
  values(byName: Record<N, unknown>): unknown[];
}

/**
 * A statement written with parameters by name: `names` declares them, in the
 * order their values are sent, and `build` writes the text with each name's
 * `$n`. Names the text does not use are left out, so a statement whose parts
 * depend on the call declares all it may need. Made once, at module level, a
 * call costs only the ordering of its values.
 *
 *   const BALANCE = namedStatement(['org', 'at'], (p) => `… WHERE organization_id = ${p.org} AND expires_at > ${p.at}`);
 *   await db.query<BalanceRow[]>(BALANCE.text, BALANCE.values({ org, at }));
 */
export function namedStatement<N extends string>(names: readonly N[], build: (p: Record<N, string>) => string): NamedStatement<N> {
  const used = new Set<string | symbol>();
  build(
    new Proxy({} as Record<N, string>, {
      get: (_, name) => {
        used.add(name);
        return '';
      },
    }),
  );
  const { sql, values } = namedParameters(names.filter((name) => used.has(name)));
  return { text: build(sql), values };
}
