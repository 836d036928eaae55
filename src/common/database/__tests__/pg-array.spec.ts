import { dictionary, plainArray, textArray } from '../pg-array';

describe('PostgreSQL array literals', () => {
  it('joins plain values and writes null as NULL', () => {
    expect(plainArray([])).toBe('{}');
    expect(plainArray(['1.5', null, 3, '2026-03-10T12:00:00.000Z'])).toBe('{1.5,NULL,3,2026-03-10T12:00:00.000Z}');
  });

  const values = ['plain', 'with "quotes"', 'back\\slash', 'comma, {braces}', '', 'NULL', 'ünï', null, 42, 0.5, undefined];

  it('quotes every text element and escapes quotes and backslashes; NULL for null', () => {
    expect(textArray([])).toBe('{}');
    expect(textArray(values)).toBe('{"plain","with \\"quotes\\"","back\\\\slash","comma, {braces}","","NULL","ünï",NULL,"42","0.5",NULL}');
  });

  it('writes what node-postgres writes for the same array', async () => {
    const utils = (await import('pg/lib/utils' as string)) as { prepareValue(value: unknown): unknown };
    expect(textArray(values)).toBe(utils.prepareValue(values));
  });

  it('sends each distinct value once, with 1-based positions in order of first sight', () => {
    expect(dictionary([])).toEqual({ items: [], index: [] });
    expect(dictionary(['b', 'a', 'b', 'c', 'a'])).toEqual({ items: ['b', 'a', 'c'], index: [1, 2, 1, 3, 2] });
    const { items, index } = dictionary(['x', 'y', 'x']);
    expect(index.map((i) => items[i - 1])).toEqual(['x', 'y', 'x']);
  });
});
