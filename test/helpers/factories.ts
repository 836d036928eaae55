import {
  CreateApiKeyDocument,
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  type Role,
} from '../generated/graphql';
import type { GraphQLClient } from './graphql-client';

let sequence = 0;
const next = (prefix: string) => `${prefix}_${process.pid}_${++sequence}`;

/** A metric and a plan charging it, created through the API by a platform admin. */
export async function createCatalog(admin: GraphQLClient, options: { planCode?: string; currency?: string } = {}) {
  const metric = await admin.data(CreateMetricDocument, { input: { code: next('calls'), unit: 'call', aggregation: 'SUM' } });
  const plan = await admin.data(CreatePlanDocument, {
    input: {
      code: options.planCode ?? next('plan'),
      name: 'Test plan',
      currency: options.currency ?? 'USD',
      basePrice: '10',
      charges: [{ metric: metric.createMetric.code, model: 'PER_UNIT', unitPrice: '0.01', included: '100', limit: '1000' }],
    },
  });
  return { metric: metric.createMetric, plan: plan.createPlan };
}

export async function createApiKey(admin: GraphQLClient, organizationId: string | null, role: Role): Promise<string> {
  const res = await admin.data(CreateApiKeyDocument, { input: { organizationId, role, name: `${role} key` } });
  return res.createApiKey.key;
}

/** An organisation with one key per tenant role. */
export async function createTenant(admin: GraphQLClient, planCode: string, name = next('Tenant'), testClock?: string) {
  const { createOrganization: organization } = await admin.data(CreateOrganizationDocument, { input: { name, planCode, testClock } });
  const [tenantAdmin, billingContact, member] = await Promise.all([
    createApiKey(admin, organization.id, 'TENANT_ADMIN'),
    createApiKey(admin, organization.id, 'BILLING_CONTACT'),
    createApiKey(admin, organization.id, 'MEMBER'),
  ]);
  return { organization, keys: { tenantAdmin, billingContact, member } };
}
