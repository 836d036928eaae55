import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class ChangePlanInput {
  @Field(() => ID)
  organizationId!: string;

  @Field({ description: 'A dearer plan applies at once (prorated); a cheaper one at the next period.' })
  planCode!: string;
}
