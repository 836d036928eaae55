import { GraphQLError } from 'graphql';
import { parseBearer } from '../common/auth/bearer';
import type { Principal } from '../common/auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import type { Services } from '../services';

/** A 401 in GraphQL's error shape, which the HTTP transport turns into the status. */
export const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });

/** The caller behind an `Authorization: Bearer <key>` header, for /graphql and the REST routes. */
export const bearerAuthenticator =
  (apiKeys: Services['apiKeys']) =>
  async (authorization: string | undefined): Promise<Principal> => {
    const key = parseBearer(authorization);
    if (!key && authorization?.trim()) throw unauthenticated('The Bearer scheme is required: send "Authorization: Bearer <key>"');
    if (!key) throw unauthenticated('Send an API key as "Authorization: Bearer <key>"');
    const principal = await apiKeys.authenticate(key);
    if (!principal) throw unauthenticated('The API key is not valid');
    return principal;
  };

export type Authenticate = ReturnType<typeof bearerAuthenticator>;
