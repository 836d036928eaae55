import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/role';
import type { MetricService } from '../metric/metric.service';
import { Team } from '../organization/team.entity';
import type { OrganizationService } from '../organization/organization.service';
import { Plan } from '../plan/plan.entity';
import type { PlanService } from '../plan/plan.service';
import { DEMO_ORGANIZATION, SEED_METRICS, SEED_PLANS } from './seed-catalog';

/** Acts for the platform itself when loading demo data. */
const SYSTEM: Principal = { apiKeyId: 'system', role: Role.PLATFORM_ADMIN, organizationId: null };

export class DemoSeedService {
  constructor(
    private readonly db: DataSource,
    private readonly services: { metrics: MetricService; plans: PlanService; organizations: OrganizationService },
    private readonly logger: Logger,
  ) {}

  /** Loads the seed catalog and a demo organisation, through the same services as the API, when the database is empty. */
  async loadIfEmpty(): Promise<{ organizationId: string } | null> {
    if ((await this.db.getRepository(Plan).count()) > 0) return null;
    const { metrics, plans, organizations } = this.services;
    for (const input of SEED_METRICS) await metrics.create(SYSTEM, input);
    for (const input of SEED_PLANS) await plans.create(SYSTEM, input);

    const org = await organizations.create(SYSTEM, { name: DEMO_ORGANIZATION.name, planCode: DEMO_ORGANIZATION.planCode });
    await organizations.ensureKeys(org.id, {
      teams: DEMO_ORGANIZATION.teams.map((t) => t.key),
      projects: DEMO_ORGANIZATION.projects,
      users: DEMO_ORGANIZATION.users,
    });
    for (const team of DEMO_ORGANIZATION.teams) {
      await this.db.getRepository(Team).update({ organizationId: org.id, key: team.key }, { department: team.department });
    }
    this.logger.info({ metrics: SEED_METRICS.length, plans: SEED_PLANS.length, organizationId: org.id }, 'demo data loaded');
    return { organizationId: org.id };
  }
}
