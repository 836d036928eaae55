import { Field, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../graphql/scalars';

@ObjectType({ description: 'An amount in a currency; the amount is an exact decimal string.' })
export class Money {
  @Field(() => DecimalScalar)
  amount!: string;

  @Field({ description: 'ISO 4217 code.' })
  currency!: string;

  static of(amount: string, currency: string): Money {
    return Object.assign(new Money(), { amount, currency });
  }
}
