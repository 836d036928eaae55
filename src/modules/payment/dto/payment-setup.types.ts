import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Hand clientSecret to Stripe.js to attach a card; the card never reaches us.' })
export class PaymentSetupPayload {
  @Field()
  clientSecret!: string;

  @Field()
  setupIntentId!: string;

  @Field()
  customerId!: string;
}
