import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'Hand clientSecret to Stripe.js to attach a card or bank account; its details never reach us.',
})
export class PaymentSetupPayload {
  @Field({ description: "The SetupIntent's client secret, for Stripe.js to confirm the card with." })
  clientSecret!: string;

  @Field({ description: "Stripe's SetupIntent id." })
  setupIntentId!: string;

  @Field({ description: "The organisation's Stripe customer id." })
  customerId!: string;
}
