/**
 * A PostgreSQL array literal of text, numbers or NULLs, the one node-postgres
 * would write for the array: built ahead of a statement (e.g. while the
 * previous one runs) instead of when it is sent.
 */
export function arrayLiteral(values: ReadonlyArray<string | number | null | undefined>): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ',';
    const value = values[i];
    literal += value === null || value === undefined ? 'NULL' : `"${String(value).replace(/[\\"]/g, '\\$&')}"`;
  }
  return literal + '}';
}
