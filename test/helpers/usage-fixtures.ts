import { SEED_METRICS, SEED_PLANS } from '../../src/modules/demo/seed-catalog';
import {
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  RecordUsageDocument,
  UsageDocument,
  type CreateMetricInput,
  type CreatePlanInput,
  type UsageEventInput,
  type UsageFilterInput,
  type PeriodInput,
} from '../generated/graphql';
import type { GraphQLClient } from './graphql-client';

/** The simulated "now" of test-clock organisations in these tests. */
export const CLOCK = '2026-03-10T12:00:00.000Z';
export const at = (minutes: number): string => new Date(Date.parse(CLOCK) - 6 * 3600_000 + minutes * 60_000).toISOString();

/** Creates metrics and a plan through the API, and an organisation on it living on the test clock. */
export async function planWithOrganization(
  admin: GraphQLClient,
  metrics: CreateMetricInput[],
  plan: CreatePlanInput,
  clock = CLOCK,
): Promise<string> {
  for (const input of metrics) await admin.data(CreateMetricDocument, { input });
  await admin.data(CreatePlanDocument, { input: plan });
  const { createOrganization } = await admin.data(CreateOrganizationDocument, {
    input: { name: plan.code, planCode: plan.code, testClock: clock },
  });
  return createOrganization.id;
}

export async function record(admin: GraphQLClient, organizationId: string, events: UsageEventInput[]) {
  return (await admin.data(RecordUsageDocument, { input: { organizationId, events } })).recordUsage;
}

export async function usage(client: GraphQLClient, organizationId: string, filter?: UsageFilterInput, period?: PeriodInput) {
  return (await client.data(UsageDocument, { organizationId, filter, period })).usage;
}

/** The usage line of one metric. */
export async function metricUsage(client: GraphQLClient, organizationId: string, metric: string, filter?: UsageFilterInput) {
  const report = await usage(client, organizationId, filter);
  const line = report.metrics.find((m) => m.metric === metric);
  if (!line) throw new Error(`no usage line for ${metric}: ${JSON.stringify(report)}`);
  return line;
}

/** The five seed platforms' metrics and plans, created through the API as a platform would. */
export async function loadSeedCatalog(admin: GraphQLClient): Promise<void> {
  for (const input of SEED_METRICS) await admin.data(CreateMetricDocument, { input });
  for (const input of SEED_PLANS) await admin.data(CreatePlanDocument, { input: input as CreatePlanInput });
}

export async function organizationOn(admin: GraphQLClient, planCode: string, clock = CLOCK): Promise<string> {
  const { createOrganization } = await admin.data(CreateOrganizationDocument, {
    input: { name: `${planCode} customer`, planCode, testClock: clock },
  });
  return createOrganization.id;
}
