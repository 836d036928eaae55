import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { createLiveClient, followAlerts, followUsage, type Alert } from '../../scripts/live-client';
import { AlertsDocument } from '../generated/graphql';
import { alertingOrganization } from '../helpers/alert-fixtures';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait-for';

const ROOT = join(__dirname, '..', '..');

/** The README's websocket client is scripts/live-client.ts, and it does what the README says against the server. */
describe("the README's live client", () => {
  let t: TestServer;
  /** Every websocket connection the server accepted, to cut them as a network failure would. */
  const connections = new Set<Duplex>();

  beforeAll(async () => {
    t = await startTestServer();
    t.server.httpServer.on('upgrade', (_request, socket: Duplex) => {
      connections.add(socket);
      socket.once('close', () => connections.delete(socket));
    });
  });
  afterAll(() => t.close());

  it('is in the README word for word', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const source = readFileSync(join(ROOT, 'scripts', 'live-client.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + source + '```\n');
  });

  it('reconnects after the connection is lost and delivers, once each, the alerts raised meanwhile', async () => {
    const { organizationId, fire } = await alertingOrganization(t.admin, 5);
    const client = createLiveClient(t.server.wsUrl, await createApiKey(t.admin, organizationId, 'MEMBER'));
    const alerts: Alert[] = [];
    const reports: unknown[] = [];
    try {
      void followUsage(client, organizationId, (report) => reports.push(report));
      await waitFor(() => (reports.length > 0 ? true : undefined));
      await fire();
      const [seen] = (await t.admin.data(AlertsDocument, { organizationId, first: 1 })).alerts.edges;
      // Started from a stored alert: the next one comes whether it fires before the subscription is live or after.
      const stop = followAlerts(client, organizationId, (alert) => alerts.push(alert), seen!.node.id);
      await fire();
      await waitFor(() => (alerts.length === 1 ? true : undefined));
      const reportsBefore = reports.length;
      // The network drops every connection; two alerts fire before the client is back (it waits a second or more).
      for (const socket of connections) socket.destroy();
      await fire();
      await fire();
      await waitFor(() => (alerts.length >= 3 ? true : undefined));
      await fire();
      await waitFor(() => (alerts.length >= 4 ? true : undefined));
      expect(alerts.map((a) => a.value)).toEqual(['2', '3', '4', '5']);
      // The usage subscription came back too, starting with the current report.
      await waitFor(() => (reports.length > reportsBefore ? true : undefined));
      stop();
    } finally {
      await client.dispose();
    }
  });
});
