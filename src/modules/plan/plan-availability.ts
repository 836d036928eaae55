import { IsNull, type FindOptionsWhere } from 'typeorm';
import type { Plan } from './plan.entity';

/**
 * The plans an organisation may see and use, as a condition on the plans table: the catalog (no organisation), and
 * custom plans only for the one organisation they were made for.
 */
export const availablePlans = (organizationId: string | null): Array<FindOptionsWhere<Plan>> =>
  organizationId ? [{ organizationId: IsNull() }, { organizationId }] : [{ organizationId: IsNull() }];
