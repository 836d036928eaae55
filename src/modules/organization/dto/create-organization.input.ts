import { Field, InputType } from 'type-graphql';

@InputType()
export class CreateOrganizationInput {
  @Field()
  name!: string;

  @Field({ description: 'Code of the plan it subscribes to.' })
  planCode!: string;

  @Field(() => String, { nullable: true, description: "ISO 4217; defaults to the plan's currency and must match it." })
  currency?: string | null;

  @Field(() => Date, { nullable: true, description: 'Creates a simulated organisation whose clock starts here.' })
  testClock?: Date | null;
}
