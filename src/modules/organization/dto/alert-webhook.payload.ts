import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The secret signs every webhook (see the README); it is shown once.' })
export class AlertWebhookPayload {
  @Field({ description: 'Where webhook alerts now go.' })
  url!: string;

  @Field({ description: "The new signing secret: check each webhook's signature with it. The previous one stops signing at once." })
  secret!: string;
}
