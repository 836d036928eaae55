import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A new organisation and the catalog plan it subscribes to.' })
export class CreateOrganizationInput {
  @Field({ description: 'Its display name, 1 to 200 characters (INVALID_NAME).' })
  name!: string;

  @Field({ description: 'Code of the plan it subscribes to.' })
  planCode!: string;

  @Field(() => String, { nullable: true, description: "ISO 4217; defaults to the plan's currency and must match it." })
  currency?: string | null;

  @Field(() => Date, { nullable: true, description: 'Creates a simulated organisation whose clock starts here.' })
  testClock?: Date | null;
}
