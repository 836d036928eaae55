import type { AuthCheckerFn } from 'type-graphql';
import { can, Permission } from './permission';
import type { Principal } from './principal';

/**
 * `@Authorized(Permission.X)`: the caller's role must hold one of the listed
 * permissions. Which organisation it may touch is checked by the service.
 * It needs only the caller from the request's context, so common/ stays free
 * of the app's assembly.
 */
export const authChecker: AuthCheckerFn<{ principal: Principal }, Permission> = ({ context }, permissions) =>
  permissions.length === 0 || permissions.some((permission) => can(context.principal.role, permission));
