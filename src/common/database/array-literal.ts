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
    if (value === null || value === undefined) {
      literal += 'NULL';
      continue;
    }
    const text = typeof value === 'string' ? value : String(value);
    // Most elements (ids, amounts) have nothing to escape: no regex for them.
    literal += text.includes('"') || text.includes('\\') ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`;
  }
  return literal + '}';
}
