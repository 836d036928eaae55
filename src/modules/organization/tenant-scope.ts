import type { EntityManager } from 'typeorm';
import type { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { organizationNotFound } from '../../common/errors/common-error';
import { organizationNow } from '../../common/time/organization-clock';
import { Organization } from './organization.entity';

/** The organisation an operation acts on, read once, and its clock. */
export interface TenantScope {
  organizationId: string;
  organization: Organization;
  /** The organisation's "now": its test clock, or real time. */
  now: Date;
}

/**
 * The organisation and its clock, with no access check: for callers that have
 * checked it already (`lock` row-locks it for the caller's transaction).
 */
export async function loadTenantScope(
  manager: EntityManager,
  organizationId: string,
  options: { lock?: boolean } = {},
): Promise<TenantScope> {
  const organization = await manager
    .getRepository(Organization)
    .findOne({ where: { id: organizationId }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!organization) throw organizationNotFound(organizationId);
  return { organizationId, organization, now: organizationNow(organization) };
}

/** The access check of authorizeTenant, then the organisation it names, which must exist. */
export async function tenantScope(
  manager: EntityManager,
  principal: Principal,
  permission: Permission,
  organizationIdInput: string,
): Promise<TenantScope> {
  return loadTenantScope(manager, authorizeTenant(principal, permission, organizationIdInput));
}
