import type { AuthCheckerFn } from 'type-graphql';
import type { RequestContext } from '../graphql/request-context';
import { can, Permission } from './permission';

/**
 * `@Authorized(Permission.X)`: the caller's role must hold one of the listed
 * permissions. Which organisation it may touch is checked by the service.
 */
export const authChecker: AuthCheckerFn<RequestContext, Permission> = ({ context }, permissions) =>
  permissions.length === 0 || permissions.some((permission) => can(context.principal.role, permission));
