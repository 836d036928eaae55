import type { GraphQLSchema } from 'graphql';
import { buildSchemaSync, type NonEmptyArray } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
import { ApiKeyResolver } from '../../modules/api-key/api-key.resolver';
import { MetricResolver } from '../../modules/metric/metric.resolver';
import { OrganizationResolver } from '../../modules/organization/organization.resolver';
import { PlanChargeResolver, PlanResolver } from '../../modules/plan/plan.resolver';
import { PlanSubscriptionResolver } from '../../modules/subscription/plan-subscription.resolver';
import { ViewerResolver } from '../../modules/viewer/viewer.resolver';
import { DateTimeScalar } from './scalars';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  ViewerResolver,
  OrganizationResolver,
  PlanSubscriptionResolver,
  PlanResolver,
  PlanChargeResolver,
  MetricResolver,
  ApiKeyResolver,
];

let cached: GraphQLSchema | undefined;

/** The executable schema; built once per process (type-graphql metadata is global). */
export function buildAppSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({
    resolvers: RESOLVERS,
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
  });
  return cached;
}
