import {
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  EntitlementCheckDocument,
  SetSpendControlsDocument,
} from '../generated/graphql';
import { GraphQLClient } from '../helpers/graphql-client';
import { startTwoNodes } from '../helpers/server-process';
import { record } from '../helpers/usage-fixtures';
import { waitFor } from '../helpers/wait-for';

describe('spend controls across server processes', () => {
  it('drop every node’s entitlements of the organisation when they change: the other answers within a second', async () => {
    const adminKey = 'mtr_spend-controls-propagation-admin-00';
    const {
      database,
      nodes: [one, two],
    } = await startTwoNodes(adminKey);
    try {
      const writer = new GraphQLClient(one.url, adminKey);
      const reader = new GraphQLClient(two.url, adminKey);
      await writer.data(CreateMetricDocument, { input: { code: 'spc_calls', unit: 'call', aggregation: 'SUM' } });
      const charges = [{ metric: 'spc_calls', model: 'PER_UNIT' as const, unitPrice: '1' }];
      await writer.data(CreatePlanDocument, {
        input: { code: 'spc_plan', name: 'Plan', currency: 'USD', basePrice: '0', monthlyBudget: '10', autoPauseAtBudget: true, charges },
      });
      const { createOrganization } = await writer.data(CreateOrganizationDocument, { input: { name: 'Spread', planCode: 'spc_plan' } });
      const organizationId = createOrganization.id;
      const ask = async () => (await reader.data(EntitlementCheckDocument, { organizationId, feature: 'spc_calls' })).entitlement;
      const within1s = (reason: string | null) => waitFor(async () => ((await ask()).reason === reason ? true : undefined), 1000);

      await record(writer, organizationId, [{ id: 'a', metric: 'spc_calls', quantity: '3', timestamp: new Date().toISOString() }]);
      await within1s(null);
      // The reader holds the organisation's entitlements in its cache now; only an announcement drops them.
      await writer.data(SetSpendControlsDocument, { input: { organizationId, monthlyBudget: '3' } });
      await within1s('BUDGET_EXHAUSTED');
      await writer.data(SetSpendControlsDocument, { input: { organizationId, autoPause: false } });
      await within1s(null);
    } finally {
      expect(await one.stop()).toBe(0);
      expect(await two.stop()).toBe(0);
      await database.drop();
    }
  }, 90_000);
});
