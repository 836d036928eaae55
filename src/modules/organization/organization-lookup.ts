import type { EntityManager } from 'typeorm';
import { Organization } from './organization.entity';
import { OrganizationError, OrganizationErrorReason } from './organization.error';

/** The organisation of an id the caller was allowed to act on, or ORGANIZATION_NOT_FOUND. */
export async function existingOrganization(manager: EntityManager, id: string): Promise<Organization> {
  const organization = await manager.getRepository(Organization).findOneBy({ id });
  if (!organization) throw new OrganizationError(OrganizationErrorReason.ORGANIZATION_NOT_FOUND, `Organization ${id} does not exist`);
  return organization;
}
