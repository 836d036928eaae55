import { AlertTriggeredDocument, AlertsDocument } from '../generated/graphql';
import { alertingOrganization } from '../helpers/alert-fixtures';
import { createApiKey } from '../helpers/factories';
import { GraphQLClient } from '../helpers/graphql-client';
import { startTwoNodes, type ServerProcess } from '../helpers/server-process';
import type { TestDatabase } from '../helpers/test-database';
import { openWsClient, wsSubscribe } from '../helpers/ws-client';

/** Alerts raised on one node, a subscriber resuming on the other: the backlog and the live ones cross the processes. */
describe('resuming alertTriggered across server processes', () => {
  const adminKey = 'mtr_alert-resume-admin-key-00000000000000';
  let database: TestDatabase;
  let nodes: [ServerProcess, ServerProcess];

  beforeAll(async () => {
    ({ database, nodes } = await startTwoNodes(adminKey));
  }, 60_000);
  afterAll(async () => {
    for (const node of nodes) expect(await node.stop()).toBe(0);
    await database.drop();
  });

  it('sends on one node what fired on the other while the client was away, then what fires there live', async () => {
    const [one, two] = nodes.map((node) => new GraphQLClient(node.url, adminKey)) as [GraphQLClient, GraphQLClient];
    const { organizationId, fire } = await alertingOrganization(one, 10);
    const key = await createApiKey(one, organizationId, 'MEMBER');
    await fire(one);
    const [seen] = (await one.data(AlertsDocument, { organizationId, first: 10 })).alerts.edges;
    // Away: two alerts fire on node one.
    await fire(one);
    await fire(one);
    const ws = openWsClient(nodes[1].wsUrl, key);
    try {
      const sub = wsSubscribe(ws, AlertTriggeredDocument, { organizationId, after: seen!.cursor });
      const next = async () => (await sub.next()).data?.alertTriggered.value;
      expect([await next(), await next()]).toEqual(['2', '3']);
      await fire(one);
      await fire(two);
      expect([await next(), await next()]).toEqual(['4', '5']);
    } finally {
      await ws.dispose();
    }
  });
});
