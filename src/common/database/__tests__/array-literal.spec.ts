import { arrayLiteral } from '../array-literal';

describe('arrayLiteral', () => {
  const values = ['plain', 'with "quotes"', 'back\\slash', 'comma, {braces}', '', 'NULL', 'ünï', null, 42, 0.5, undefined];

  it('quotes every element and escapes quotes and backslashes; NULL for null', () => {
    expect(arrayLiteral(values)).toBe(
      '{"plain","with \\"quotes\\"","back\\\\slash","comma, {braces}","","NULL","ünï",NULL,"42","0.5",NULL}',
    );
    expect(arrayLiteral([])).toBe('{}');
  });

  it('writes what node-postgres writes for the same array', async () => {
    const utils = (await import('pg/lib/utils' as string)) as { prepareValue(value: unknown): unknown };
    expect(arrayLiteral(values)).toBe(utils.prepareValue(values));
  });
});
