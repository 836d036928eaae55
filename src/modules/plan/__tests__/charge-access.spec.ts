import { MAX_ALLOWED_DIMENSIONS, MAX_ALLOWED_VALUES, parseAllowedDimensions } from '../charge-access';

describe('parseAllowedDimensions', () => {
  it('sorts the dimensions and keeps each value once, in the order given', () => {
    expect(parseAllowedDimensions({ z: ['b', 'a', 'b'], connector: ['notion'] })).toEqual({ connector: ['notion'], z: ['b', 'a'] });
    expect(Object.keys(parseAllowedDimensions({ z: ['a'], a: ['b'] }))).toEqual(['a', 'z']);
  });

  it.each<[string, unknown, RegExp]>([
    ['a string', 'notion', /must be an object/],
    ['an array', ['notion'], /must be an object/],
    ['null', null, /must be an object/],
    ['no dimension', {}, /names no dimension/],
    ['an empty list', { connector: [] }, /non-empty list/],
    ['a value that is no list', { connector: 'notion' }, /non-empty list/],
    ['a number', { connector: [1] }, /strings of 1 to 200/],
    ['an empty string', { connector: [''] }, /strings of 1 to 200/],
    ['a long string', { connector: ['x'.repeat(201)] }, /strings of 1 to 200/],
    ['a bad key', { 'a b': ['x'] }, /not a valid dimension key/],
    ['__proto__', JSON.parse('{"__proto__": ["x"]}'), /not a valid dimension key/],
    [
      'too many dimensions',
      Object.fromEntries(Array.from({ length: MAX_ALLOWED_DIMENSIONS + 1 }, (_, i) => [`d${i}`, ['x']])),
      /more than 20/,
    ],
    ['too many values', { k: Array.from({ length: MAX_ALLOWED_VALUES + 1 }, (_, i) => `v${i}`) }, /more than 100 values/],
  ])('refuses %s', (_, input, problem) => {
    expect(parseAllowedDimensions(input)).toMatch(problem);
  });
});
