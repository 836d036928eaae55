import { Dictionary, namedParameters, namedStatement, plainArray, textArray } from '../pg-array';

describe('PostgreSQL array literals', () => {
  it('joins plain values and writes null as NULL', () => {
    expect(plainArray([])).toBe('{}');
    expect(plainArray(['1.5', null, 3, '2026-03-10T12:00:00.000Z'])).toBe('{1.5,NULL,3,2026-03-10T12:00:00.000Z}');
    expect(plainArray([0, '-2.25', 1796064873865])).toBe('{0,-2.25,1796064873865}');
    expect(plainArray([null])).toBe('{NULL}');
  });

  const values = ['plain', 'with "quotes"', 'back\\slash', 'comma, {braces}', '', 'NULL', 'ünï', null, 42, 0.5, undefined];

  it('quotes every text element and escapes quotes and backslashes; NULL for null', () => {
    expect(textArray([])).toBe('{}');
    expect(textArray(values)).toBe('{"plain","with \\"quotes\\"","back\\\\slash","comma, {braces}","","NULL","ünï",NULL,"42","0.5",NULL}');
  });

  it('quotes plain text and numbers alike when nothing needs escaping', () => {
    expect(textArray(['e-1', 'comma, {braces}', 7, ''])).toBe('{"e-1","comma, {braces}","7",""}');
    expect(textArray([''])).toBe('{""}');
  });

  it('writes what node-postgres writes for the same array', async () => {
    const utils = (await import('pg/lib/utils' as string)) as { prepareValue(value: unknown): unknown };
    expect(textArray(values)).toBe(utils.prepareValue(values));
    const plain = ['e-1', 'ünï', 'comma, {braces}', 42, ''];
    expect(textArray(plain)).toBe(utils.prepareValue(plain));
  });

  it('keeps each distinct value once and gives 1-based positions in order of first sight', () => {
    const d = new Dictionary<string | null>();
    expect(['b', 'a', 'b', null, 'a', null].map((v) => d.add(v))).toEqual([1, 2, 1, 3, 2, 3]);
    expect(d.items).toEqual(['b', 'a', null]);
  });

  it('numbers named parameters in the order given and orders values by name', () => {
    const p = namedParameters(['org', 'ids', 'at'] as const);
    expect(p.sql).toEqual({ org: '$1', ids: '$2', at: '$3' });
    expect(p.values({ at: 3, org: 'o', ids: '{}' })).toEqual(['o', '{}', 3]);
  });

  it('numbers the names a statement uses in the order declared, leaves out the others, and orders values by them', () => {
    const s = namedStatement(
      ['org', 'unused', 'at', 'limit'],
      (p) => `SELECT ${p.at}, ${p.org} WHERE ${p.org} IS NOT NULL LIMIT ${p.limit}`,
    );
    expect(s.text).toBe('SELECT $2, $1 WHERE $1 IS NOT NULL LIMIT $3');
    expect(s.values({ org: 'o', unused: 'x', limit: 10, at: null })).toEqual(['o', null, 10]);
  });
});
