import type { DataSource } from 'typeorm';
import { ApiKeyService } from './modules/api-key/api-key.service';
import { MetricService } from './modules/metric/metric.service';
import { OrganizationService } from './modules/organization/organization.service';
import { PlanService } from './modules/plan/plan.service';

/** The plain services behind the resolvers; one set per server. */
export function createServices(db: DataSource) {
  return {
    db,
    apiKeys: new ApiKeyService(db),
    organizations: new OrganizationService(db),
    metrics: new MetricService(db),
    plans: new PlanService(db),
  };
}

export type Services = ReturnType<typeof createServices>;
