import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'Hand clientSecret to Stripe.js to attach a card or bank account; its details never reach us.',
})
export class PaymentSetupPayload {
  @Field()
  clientSecret!: string;

  @Field()
  setupIntentId!: string;

  @Field()
  customerId!: string;
}
