import { plainArray, textArray } from '../pg-array';

describe('PostgreSQL array literals', () => {
  it('joins plain values and writes null as NULL', () => {
    expect(plainArray([])).toBe('{}');
    expect(plainArray(['1.5', null, 3, '2026-03-10T12:00:00.000Z'])).toBe('{1.5,NULL,3,2026-03-10T12:00:00.000Z}');
  });

  it('quotes every text element and escapes quotes and backslashes', () => {
    expect(textArray([])).toBe('{}');
    expect(textArray(['a', null, '', 'NULL', 'say "hi"', 'back\\slash', 'comma, {brace}'])).toBe(
      '{"a",NULL,"","NULL","say \\"hi\\"","back\\\\slash","comma, {brace}"}',
    );
  });
});
