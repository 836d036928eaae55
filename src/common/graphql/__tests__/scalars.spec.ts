import { Kind } from 'graphql';
import { MONEY_BOUNDS, parseBoundedDecimal } from '../../money/decimal-bounds';
import { DateTimeScalar, DecimalScalar } from '../scalars';

describe('Decimal scalar', () => {
  it.each([
    ['0.00025', '0.00025'],
    ['1e-7', '0.0000001'],
    ['  12.50 ', '12.5'],
    ['100', '100'],
    ['-0.5', '-0.5'],
    ['0100', '100'],
    ['1.0', '1'],
    ['-0', '0'],
    ['-0.0', '0'],
    ['.5', '0.5'],
    [3, '3'],
    [0.1, '0.1'],
  ])('reads %p as %p, exactly', (input, expected) => {
    expect(DecimalScalar.parseValue(input)).toBe(expected);
  });

  it.each([
    ['abc', 'abc'],
    ['', ''],
    ['1.2.3', '1.2.3'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [{}, '{}'],
    [{ amount: 1 }, '{"amount":1}'],
  ])('passes %p on as %p, for the service to refuse where it is used', (input, text) => {
    expect(DecimalScalar.parseValue(input)).toBe(text);
    expect(() => parseBoundedDecimal(text, 'amount', MONEY_BOUNDS)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'INVALID_ARGUMENT' }),
    );
  });

  it.each([['1e16000000'], ['1e100000'], ['-1e-100000'], ['1234567890123456789'], [`1${'0'.repeat(10_000_000)}`]])(
    'passes %#, past every bound, on unexpanded',
    (input) => {
      expect(DecimalScalar.parseValue(input)).toBe(input);
    },
  );

  it('passes a JSON number past every bound on as its text', () => {
    expect(DecimalScalar.parseValue(1e300)).toBe('1e+300');
  });

  it('keeps literals exact, beyond float precision', () => {
    expect(DecimalScalar.parseLiteral({ kind: Kind.FLOAT, value: '0.1000000000000000000001' })).toBe('0.1000000000000000000001');
  });
});

describe('DateTime scalar', () => {
  it('is named as the contract fixes and prints UTC ISO 8601', () => {
    expect(DateTimeScalar.name).toBe('DateTime');
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 0, 31, 23, 59, 59)))).toBe('2026-01-31T23:59:59.000Z');
  });
});
