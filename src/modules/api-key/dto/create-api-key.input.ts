import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from '../../../common/auth/role';

@InputType()
export class CreateApiKeyInput {
  @Field(() => ID, { nullable: true, description: "Required for every role but PLATFORM_ADMIN; a tenant admin's own by default." })
  organizationId?: string | null;

  @Field(() => Role)
  role!: Role;

  @Field()
  name!: string;
}

@ObjectType()
export class CreateApiKeyPayload {
  @Field({ description: 'The secret; shown once, only its hash is kept.' })
  key!: string;

  @Field(() => ID)
  id!: string;
}
