import { Field, ObjectType } from 'type-graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar } from '../graphql/scalars';
import { minorUnits } from './currency';
import { roundMoney } from './decimal';

@ObjectType({ description: 'An amount in a currency; the amount is an exact decimal string.' })
export class Money {
  @Field(() => DecimalScalar, {
    description: 'The amount, with the currency\'s minor-unit decimals where rounded, e.g. "10.00" (JPY "1502").',
  })
  amount!: string;

  @Field({ description: 'ISO 4217 code.' })
  currency!: string;

  static of(amount: string, currency: string): Money {
    return Object.assign(new Money(), { amount, currency });
  }

  /** An amount as shown: rounded to the currency's minor unit ("10.00", JPY "1502"). */
  static rounded(amount: Decimal.Value, currency: string): Money {
    return Money.of(roundMoney(amount, minorUnits(currency)), currency);
  }
}
