import { isCurrency, minorUnits } from '../currency';

describe('currencies', () => {
  it('knows ISO 4217 codes and their minor units', () => {
    expect([isCurrency('USD'), isCurrency('JPY'), isCurrency('usd'), isCurrency('ZZZ')]).toEqual([true, true, false, false]);
    expect([minorUnits('USD'), minorUnits('JPY'), minorUnits('KWD')]).toEqual([2, 0, 3]);
  });
});
