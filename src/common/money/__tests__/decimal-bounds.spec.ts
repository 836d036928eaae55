import {
  decimalTextProblem,
  DecimalTextProblem,
  MONEY_BOUNDS,
  parseBoundedDecimal,
  PRICE_BOUNDS,
  QUANTITY_BOUNDS,
  quoteInput,
} from '../decimal-bounds';

const { OUT_OF_RANGE, NOT_A_NUMBER } = DecimalTextProblem;

describe('decimalTextProblem', () => {
  it.each([
    ['999999999999999999', null],
    ['999999999999999999.99999999999999999999', null],
    ['1000000000000000000', OUT_OF_RANGE],
    ['0.00000000000000000001', null],
    ['0.000000000000000000001', OUT_OF_RANGE],
    ['9.99999999999999999e17', null],
    ['1e18', OUT_OF_RANGE],
    ['1e17', null],
    ['1e-20', null],
    ['1e-21', OUT_OF_RANGE],
    ['12.50000000000000000000000', null],
    ['000000000000000000000012', null],
    ['0e999999999', null],
    ['1e16000000', OUT_OF_RANGE],
    ['1e-100000', OUT_OF_RANGE],
    ['-1e100000', OUT_OF_RANGE],
    ['+.5', null],
    [' 7 ', null],
    ['abc', NOT_A_NUMBER],
    ['', NOT_A_NUMBER],
    ['.', NOT_A_NUMBER],
    ['1e', NOT_A_NUMBER],
    ['1.2.3', NOT_A_NUMBER],
    ['0x10', NOT_A_NUMBER],
    ['Infinity', NOT_A_NUMBER],
  ])('reads %p against the quantity bounds as %p', (text, problem) => {
    expect(decimalTextProblem(text, QUANTITY_BOUNDS)).toBe(problem);
  });

  it('refuses a text longer than any in-range value unread: digits as out of range, anything else as no number', () => {
    expect(decimalTextProblem('9'.repeat(10_000_000), QUANTITY_BOUNDS)).toBe(OUT_OF_RANGE);
    expect(decimalTextProblem(`0.${'0'.repeat(100)}`, QUANTITY_BOUNDS)).toBe(OUT_OF_RANGE);
    expect(decimalTextProblem('x'.repeat(10_000_000), QUANTITY_BOUNDS)).toBe(NOT_A_NUMBER);
  });

  it('holds money to 15 digits and 4 decimals, prices to 15 and 12', () => {
    expect(decimalTextProblem('999999999999999.9999', MONEY_BOUNDS)).toBeNull();
    expect(decimalTextProblem('1000000000000000', MONEY_BOUNDS)).toBe(OUT_OF_RANGE);
    expect(decimalTextProblem('0.00001', MONEY_BOUNDS)).toBe(OUT_OF_RANGE);
    expect(decimalTextProblem('0.000000000001', PRICE_BOUNDS)).toBeNull();
    expect(decimalTextProblem('0.0000000000001', PRICE_BOUNDS)).toBe(OUT_OF_RANGE);
    expect(decimalTextProblem('1000000000000000', PRICE_BOUNDS)).toBe(OUT_OF_RANGE);
  });
});

describe('parseBoundedDecimal', () => {
  it('returns the Decimal of an in-range text', () => {
    expect(parseBoundedDecimal(' 0.00025 ', 'unitPrice', PRICE_BOUNDS).toFixed()).toBe('0.00025');
  });

  it('refuses a number past its bounds with OUT_OF_RANGE, quoting at most 40 characters of it', () => {
    const huge = '9'.repeat(10_000_000);
    let error: unknown;
    try {
      parseBoundedDecimal(huge, 'amount', MONEY_BOUNDS);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE', details: { bounds: 'amount' } });
    expect((error as Error).message).toBe(`amount must have at most 15 digits before the point and 4 after it, got "${'9'.repeat(40)}…"`);
  });

  it('refuses a text that is no number with INVALID_ARGUMENT', () => {
    expect(() => parseBoundedDecimal('ten', 'amount', MONEY_BOUNDS)).toThrow(expect.objectContaining({ reason: 'INVALID_ARGUMENT' }));
  });

  it('quotes short inputs whole', () => {
    expect(quoteInput('12x')).toBe('"12x"');
  });
});
