import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
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
}
