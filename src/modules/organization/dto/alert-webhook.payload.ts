import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The secret signs every webhook (see the README); it is shown once.' })
export class AlertWebhookPayload {
  @Field()
  url!: string;

  @Field()
  secret!: string;
}
