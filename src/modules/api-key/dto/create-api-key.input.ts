import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from '../../../common/auth/role';

@InputType({
  description:
    'A new API key. Errors: BAD_USER_INPUT with reason INVALID_NAME, ORGANIZATION_REQUIRED or PLATFORM_KEY_WITH_ORGANIZATION; FORBIDDEN (ROLE_NOT_GRANTABLE) when a tenant admin asks for a PLATFORM_ADMIN key.',
})
export class CreateApiKeyInput {
  @Field(() => ID, { nullable: true, description: "Required for every role but PLATFORM_ADMIN; a tenant admin's own by default." })
  organizationId?: string | null;

  @Field(() => Role, { description: 'What the key may do; only platform admins create PLATFORM_ADMIN keys.' })
  role!: Role;

  @Field({ description: 'A label for people, 1 to 100 characters.' })
  name!: string;
}

@ObjectType({ description: 'A key just created; its secret cannot be read again.' })
export class CreateApiKeyPayload {
  @Field({ description: 'The secret; shown once, only its hash is kept.' })
  key!: string;

  @Field(() => ID, { description: 'The key, to recognise it in the audit log (AuditEntry.apiKeyId).' })
  id!: string;
}
