import type { EntityManager } from 'typeorm';
import { loadTenantScope, type TenantScope } from '../organization/tenant-scope';
import { PlanSubscription } from '../subscription/plan-subscription.entity';

/** What forecasts and plan recommendations price against: the tenant scope and the organisation's subscription. */
export interface BillingContext extends TenantScope {
  subscription: PlanSubscription | null;
}

/** The organisation (which must exist) and its subscription, read at once on two pooled connections. */
export async function loadBillingContext(manager: EntityManager, organizationId: string): Promise<BillingContext> {
  const [scope, subscription] = await Promise.all([
    loadTenantScope(manager, organizationId),
    manager.getRepository(PlanSubscription).findOneBy({ organizationId }),
  ]);
  return { ...scope, subscription };
}
