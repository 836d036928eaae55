import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** The kinds of payment method an organisation may attach through a SetupIntent; values are Stripe's type names upper-cased. */
export enum PaymentMethodType {
  CARD = 'card',
  US_BANK_ACCOUNT = 'us_bank_account',
}

registerEnumType(PaymentMethodType, {
  name: 'PaymentMethodType',
  description: 'How an attached payment method pays.',
  valuesConfig: {
    CARD: { description: 'A credit or debit card.' },
    US_BANK_ACCOUNT: { description: 'A US bank account debited by ACH.' },
  },
});

@ObjectType({
  description:
    "A payment method attached to the organisation's Stripe customer, read from Stripe on each request: Meterly stores only its id.",
})
export class PaymentMethod {
  @Field(() => ID, { description: "Stripe's id (pm_…)." })
  id!: string;

  @Field(() => PaymentMethodType, { description: 'Card or US bank account.' })
  type!: PaymentMethodType;

  @Field(() => String, { nullable: true, description: 'Card brand (visa, mastercard, amex…); null for a bank account.' })
  brand!: string | null;

  @Field(() => String, { nullable: true, description: "The bank's name for a bank account; null for a card." })
  bankName!: string | null;

  @Field(() => String, { nullable: true, description: 'The last four digits of the card or account number, as Stripe shows them.' })
  last4!: string | null;

  @Field(() => Int, { nullable: true, description: 'Expiry month of a card, 1 to 12; null for a bank account.' })
  expMonth!: number | null;

  @Field(() => Int, { nullable: true, description: 'Expiry year of a card, four digits; null for a bank account.' })
  expYear!: number | null;

  @Field({ description: 'Whether invoices are charged to this method (the organisation has at most one default).' })
  isDefault!: boolean;
}
