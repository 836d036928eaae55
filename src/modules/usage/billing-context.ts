import type { EntityManager } from 'typeorm';
import { PlanSubscription } from '../subscription/plan-subscription.entity';
import { Organization } from '../organization/organization.entity';

export interface BillingContext {
  organization: Organization;
  subscription: PlanSubscription | null;
  /** The organisation's "now": its test clock, or real time. */
  now: Date;
}

/**
 * The organisation, its subscription and its clock, in two indexed reads.
 * `share` locks the subscription row against a period close until the
 * transaction ends, so no event lands in a period being invoiced.
 */
export async function loadBillingContext(manager: EntityManager, organizationId: string, share = false): Promise<BillingContext | null> {
  if (!share) {
    // Reads fetch both at once (outside a transaction, on two pooled connections).
    const [organization, subscription] = await Promise.all([
      manager.getRepository(Organization).findOneBy({ id: organizationId }),
      manager.getRepository(PlanSubscription).findOneBy({ organizationId }),
    ]);
    return organization ? { organization, subscription, now: organization.testClockAt ?? new Date() } : null;
  }
  const organization = await manager.getRepository(Organization).findOneBy({ id: organizationId });
  if (!organization) return null;
  const subscription = await manager
    .getRepository(PlanSubscription)
    .findOne({ where: { organizationId }, lock: { mode: 'pessimistic_read' } });
  return { organization, subscription, now: organization.testClockAt ?? new Date() };
}
