import { ApiKey } from '../../modules/api-key/api-key.entity';
import { Metric } from '../../modules/metric/metric.entity';
import { Organization } from '../../modules/organization/organization.entity';
import { Project } from '../../modules/organization/project.entity';
import { Team } from '../../modules/organization/team.entity';
import { User } from '../../modules/organization/user.entity';
import { PlanCharge } from '../../modules/plan/plan-charge.entity';
import { Plan } from '../../modules/plan/plan.entity';
import { PlanSubscription } from '../../modules/subscription/plan-subscription.entity';

/** Every mapped table; the migrations-drift test compares these against migrations/. */
export const ENTITIES = [Organization, Team, Project, User, ApiKey, Metric, Plan, PlanCharge, PlanSubscription];
