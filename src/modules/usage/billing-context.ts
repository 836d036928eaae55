import type { EntityManager } from 'typeorm';
import { organizationNotFound } from '../../common/errors/common-error';
import { organizationNow } from '../../common/time/organization-clock';
import { PlanSubscription } from '../subscription/plan-subscription.entity';
import { Organization } from '../organization/organization.entity';

export interface BillingContext {
  organization: Organization;
  subscription: PlanSubscription | null;
  /** The organisation's "now": its test clock, or real time. */
  now: Date;
}

/** The organisation, which must exist, its subscription and its clock, read at once on two pooled connections. */
export async function loadBillingContext(manager: EntityManager, organizationId: string): Promise<BillingContext> {
  const [organization, subscription] = await Promise.all([
    manager.getRepository(Organization).findOneBy({ id: organizationId }),
    manager.getRepository(PlanSubscription).findOneBy({ organizationId }),
  ]);
  if (!organization) throw organizationNotFound(organizationId);
  return { organization, subscription, now: organizationNow(organization) };
}
