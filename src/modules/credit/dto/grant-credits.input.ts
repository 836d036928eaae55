import { Field, ID, InputType } from 'type-graphql';
import { DecimalScalar } from '../../../common/graphql/scalars';

@InputType({ description: 'Prepaid credit for an organisation, used on its invoices before anything is charged.' })
export class GrantCreditsInput {
  @Field(() => ID, { description: 'The organisation credited.' })
  organizationId!: string;

  @Field(() => DecimalScalar, { description: "In the organisation's currency: above 0, at most 15 digits and its minor unit's decimals." })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'Why, for the audit log; at most 500 characters.' })
  reason?: string | null;

  @Field(() => Date, { nullable: true, description: 'Unused credit lapses then; grants expiring first are used first.' })
  expiresAt?: Date | null;
}
