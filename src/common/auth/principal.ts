import { CommonError, CommonErrorReason } from '../errors/common-error';
import { can, Permission } from './permission';
import { Role } from './role';

/** Who is calling: resolved from the API key once per request or socket. */
export interface Principal {
  apiKeyId: string;
  role: Role;
  /** Null for platform admins, who act across organisations. */
  organizationId: string | null;
}

export const isPlatformAdmin = (principal: Principal): boolean => principal.role === Role.PLATFORM_ADMIN;

/**
 * The tenant check every organisation-scoped operation goes through. The
 * answer is the same whether the other organisation exists or not.
 */
export function assertCan(principal: Principal, permission: Permission, organizationId?: string): void {
  if (!can(principal.role, permission)) {
    throw new CommonError(CommonErrorReason.FORBIDDEN, `Role ${principal.role} may not ${permission.toLowerCase().replace(/_/g, ' ')}`);
  }
  if (organizationId !== undefined && !isPlatformAdmin(principal) && principal.organizationId !== organizationId) {
    throw new CommonError(CommonErrorReason.FORBIDDEN, 'This key may not access that organization');
  }
}
