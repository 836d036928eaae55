import { Field, ObjectType } from 'type-graphql';
import { WebhookEndpoint } from '../webhook-endpoint.entity';

@ObjectType({ description: 'A registered endpoint and its signing secret, which is shown this once (README: Webhooks).' })
export class CreateWebhookEndpointPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint as registered.' })
  endpoint!: WebhookEndpoint;

  @Field({ description: 'Signs every delivery (Meterly-Signature); never shown again. Store it with the receiver.' })
  secret!: string;
}
