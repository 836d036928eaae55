import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'A plan change. Errors: BAD_USER_INPUT with reason UNKNOWN_PLAN, CURRENCY_MISMATCH, SAME_PLAN or NOT_ACTIVE.' })
export class ChangePlanInput {
  @Field(() => ID, { description: 'The organisation.' })
  organizationId!: string;

  @Field({ description: 'A dearer plan applies at once (prorated); a cheaper one at the next period.' })
  planCode!: string;
}
