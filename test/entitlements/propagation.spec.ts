import {
  ChangePlanDocument,
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  EntitlementCheckDocument,
  SetFeatureOverrideDocument,
  type EntitlementFieldsFragment,
} from '../generated/graphql';
import { GraphQLClient } from '../helpers/graphql-client';
import { startTwoNodes } from '../helpers/server-process';
import { record } from '../helpers/usage-fixtures';

/** Asks until the answer matches, for at most the one second every node has to follow a change. */
async function within1s(ask: () => Promise<EntitlementFieldsFragment>, expected: Partial<EntitlementFieldsFragment>) {
  const deadline = Date.now() + 1000;
  let last = await ask();
  while (!Object.entries(expected).every(([k, v]) => JSON.stringify(last[k as keyof EntitlementFieldsFragment]) === JSON.stringify(v))) {
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(last)} after 1 s, expected ${JSON.stringify(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = await ask();
  }
}

describe('entitlements across server processes', () => {
  it('answers a plan change, an override and a usage crossing made on one process within a second on the other', async () => {
    const adminKey = 'mtr_entitlement-propagation-admin-key-00';
    const {
      database,
      nodes: [one, two],
    } = await startTwoNodes(adminKey);
    try {
      const writer = new GraphQLClient(one.url, adminKey);
      const reader = new GraphQLClient(two.url, adminKey);
      await writer.data(CreateMetricDocument, { input: { code: 'prop_calls', unit: 'call', aggregation: 'SUM' } });
      const charges = [{ metric: 'prop_calls', model: 'PER_UNIT' as const, unitPrice: '0', limit: '5', hardLimit: true }];
      await writer.data(CreatePlanDocument, { input: { code: 'prop_free', name: 'Free', currency: 'USD', basePrice: '0', charges } });
      await writer.data(CreatePlanDocument, {
        input: { code: 'prop_team', name: 'Team', currency: 'USD', basePrice: '5', charges, features: [{ feature: 'sso' }] },
      });
      const { createOrganization } = await writer.data(CreateOrganizationDocument, { input: { name: 'Spread', planCode: 'prop_free' } });
      const organizationId = createOrganization.id;
      const ask = (feature: string) => async () => (await reader.data(EntitlementCheckDocument, { organizationId, feature })).entitlement;

      // The reader's cache holds the old answers before each change.
      expect(await ask('sso')()).toMatchObject({ hasAccess: false, reason: 'NOT_IN_PLAN' });
      expect(await ask('prop_calls')()).toMatchObject({ hasAccess: true, used: '0' });

      await writer.data(ChangePlanDocument, { input: { organizationId, planCode: 'prop_team' } });
      await within1s(ask('sso'), { hasAccess: true, reason: null });

      await writer.data(SetFeatureOverrideDocument, { input: { organizationId, feature: 'sso', enabled: false } });
      await within1s(ask('sso'), { hasAccess: false, reason: 'FEATURE_DISABLED' });

      const now = new Date().toISOString();
      await record(writer, organizationId, [{ id: 'p1', metric: 'prop_calls', quantity: '5', timestamp: now }]);
      await within1s(ask('prop_calls'), { hasAccess: false, reason: 'QUOTA_EXCEEDED', used: '5', remaining: '0' });
    } finally {
      expect(await one.stop()).toBe(0);
      expect(await two.stop()).toBe(0);
      await database.drop();
    }
  }, 90_000);
});
