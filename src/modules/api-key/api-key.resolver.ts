import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { ApiKey } from './api-key.entity';
import { CreateApiKeyInput, CreateApiKeyPayload } from './dto/create-api-key.input';

@Resolver()
export class ApiKeyResolver {
  @Authorized(Permission.MANAGE_API_KEYS)
  @Mutation(() => CreateApiKeyPayload, { description: 'Creates an API key and returns its secret, once.' })
  createApiKey(
    @Arg('input', { description: 'The key.' }) input: CreateApiKeyInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<CreateApiKeyPayload> {
    return services.apiKeys.create(principal, input);
  }

  @Authorized(Permission.MANAGE_API_KEYS)
  @Query(() => [ApiKey], {
    description:
      "An organisation's API keys, newest first, revoked ones included; never their secrets. Platform and tenant admins " +
      'only (others: FORBIDDEN); a tenant admin lists only its own organisation (another one: FORBIDDEN). ' +
      'A missing organisation is NOT_FOUND (ORGANIZATION_NOT_FOUND).',
  })
  apiKeys(
    @Arg('organizationId', () => ID, {
      nullable: true,
      description: "Whose keys. Default: the caller's organisation; for a platform admin, null lists the platform admin keys.",
    })
    organizationId: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<ApiKey[]> {
    return services.apiKeys.list(principal, organizationId ?? null);
  }

  @Authorized(Permission.MANAGE_API_KEYS)
  @Mutation(() => ApiKey, {
    description:
      'Revokes a key: every node refuses it within a second, over HTTP (401) and on its open websockets, which are closed ' +
      "(4403). A platform admin may revoke any key, a tenant admin its own organisation's (another's: NOT_FOUND). " +
      'A key cannot revoke itself (BAD_USER_INPUT, reason OWN_KEY): revoke it with another one. Revoking a revoked key ' +
      'returns it unchanged. Audited.',
  })
  revokeApiKey(
    @Arg('id', () => ID, { description: 'The key, as ApiKey.id.' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<ApiKey> {
    return services.apiKeys.revoke(principal, id);
  }
}
