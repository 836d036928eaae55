import { assertId } from '../errors/common-error';
import type { Permission } from './permission';
import { assertCan, type Principal } from './principal';

/**
 * How every organisation-scoped operation opens: a well-formed id, then the
 * permission and tenant check. Returns the id in its canonical (lower-case)
 * form. Another organisation's id is refused before anything is read, so the
 * answer does not tell whether that organisation exists.
 */
export function authorizeTenant(principal: Principal, permission: Permission, organizationIdInput: string): string {
  const organizationId = assertId(organizationIdInput, 'organizationId');
  assertCan(principal, permission, organizationId);
  return organizationId;
}
