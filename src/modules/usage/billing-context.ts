import type { EntityManager } from 'typeorm';
import { PlanSubscription } from '../subscription/plan-subscription.entity';
import { Organization } from '../organization/organization.entity';

export interface BillingContext {
  organization: Organization;
  subscription: PlanSubscription | null;
  /** The organisation's "now": its test clock, or real time. */
  now: Date;
}

/** The organisation, its subscription and its clock, in two indexed reads. */
export async function loadBillingContext(manager: EntityManager, organizationId: string): Promise<BillingContext | null> {
  const organization = await manager.getRepository(Organization).findOneBy({ id: organizationId });
  if (!organization) return null;
  const subscription = await manager.getRepository(PlanSubscription).findOneBy({ organizationId });
  return { organization, subscription, now: organization.testClockAt ?? new Date() };
}
