import { CreateAlertRuleDocument } from '../generated/graphql';
import type { GraphQLClient } from './graphql-client';
import { at, planWithOrganization, record } from './usage-fixtures';

let sequence = 0;

/**
 * An organisation whose every recorded unit fires one alert: a metric with no limit (so the default rules stay
 * quiet) and rules at 1, 2, … `alerts` units. `fire()` records one unit; the alert's value is the running total.
 */
export async function alertingOrganization(admin: GraphQLClient, alerts: number) {
  const code = `alerting_${process.pid}_${++sequence}`;
  const organizationId = await planWithOrganization(admin, [{ code, unit: 'call', aggregation: 'SUM' }], {
    code: `plan_${code}`,
    name: code,
    currency: 'USD',
    basePrice: '0',
    charges: [{ metric: code, model: 'PER_UNIT', unitPrice: '0' }],
  });
  for (let threshold = 1; threshold <= alerts; threshold++) {
    await admin.data(CreateAlertRuleDocument, {
      input: { organizationId, metric: code, thresholdAmount: String(threshold), severity: 'INFO' },
    });
  }
  let fired = 0;
  return {
    organizationId,
    /** Records one more unit, through `client` (a node of the caller's choice): the next alert fires. */
    fire: async (client: GraphQLClient = admin) => {
      fired += 1;
      await record(client, organizationId, [{ id: `unit-${fired}`, metric: code, quantity: '1', timestamp: at(fired) }]);
    },
  };
}
