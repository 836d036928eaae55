import type { Client as WsClient } from 'graphql-ws';
import { ApiKeysDocument, RevokeApiKeyDocument, UsageUpdatedDocument, ViewerDocument } from '../generated/graphql';
import { createApiKey, createCatalog, createTenant } from '../helpers/factories';
import { GraphQLClient } from '../helpers/graphql-client';
import { startTwoNodes, type ServerProcess } from '../helpers/server-process';
import type { TestDatabase } from '../helpers/test-database';
import { waitFor } from '../helpers/wait-for';
import { openWsClient, wsRequest, wsSubscribe } from '../helpers/ws-client';

/** What revokeApiKey promises: refused on every node within a second. */
const WITHIN_MS = 1_000;

/** An open socket of `key` on `node`, with a live subscription, and how it closed (once it has). */
async function liveSocket(node: ServerProcess, key: string, organizationId: string) {
  const ws = openWsClient(node.wsUrl, key);
  let closed: { code: number; reason: string } | undefined;
  ws.on('closed', (event) => {
    const { code, reason } = event as { code: number; reason: string };
    closed = { code, reason };
  });
  const subscription = wsSubscribe(ws, UsageUpdatedDocument, { organizationId });
  // The current report comes first: the socket is accepted and the subscription running.
  expect((await subscription.next()).data?.usageUpdated).toBeDefined();
  return { ws, subscription, closed: () => closed };
}

describe('revokeApiKey across server processes', () => {
  const adminKey = 'mtr_revocation-admin-key-0000000000000000';
  let database: TestDatabase;
  let nodes: [ServerProcess, ServerProcess];
  const sockets: WsClient[] = [];

  beforeAll(async () => {
    ({ database, nodes } = await startTwoNodes(adminKey));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(sockets.map((ws) => ws.dispose()));
    for (const node of nodes) expect(await node.stop()).toBe(0);
    await database.drop();
  });

  it('revoked on one node, the key is refused by the other over HTTP and its open socket is closed, within a second', async () => {
    const admin = new GraphQLClient(nodes[0].url, adminKey);
    const { plan } = await createCatalog(admin);
    const { organization, keys } = await createTenant(admin, plan.code);
    const otherKey = await createApiKey(admin, organization.id, 'MEMBER');
    const onOther = (key: string) => new GraphQLClient(nodes[1].url, key);
    expect((await onOther(keys.member).data(ViewerDocument)).viewer.role).toBe('MEMBER');
    const revoked = await liveSocket(nodes[1], keys.member, organization.id);
    const kept = await liveSocket(nodes[1], otherKey, organization.id);
    sockets.push(revoked.ws, kept.ws);
    const tenantAdmin = new GraphQLClient(nodes[0].url, keys.tenantAdmin);
    const { id } = (await tenantAdmin.data(ApiKeysDocument, { organizationId: organization.id })).apiKeys.find(
      (k) => k.prefix === keys.member.slice(0, 10),
    )!;

    await tenantAdmin.data(RevokeApiKeyDocument, { id });
    const revokedAt = Date.now();
    const refusedOverHttp = waitFor(async () => {
      const res = await onOther(keys.member).request(ViewerDocument);
      return res.status === 401 && res.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED' ? Date.now() : undefined;
    });
    const socketClosed = waitFor(() => (revoked.closed() ? Date.now() : undefined));
    const [httpAt, socketAt] = await Promise.all([refusedOverHttp, socketClosed]);
    expect(httpAt - revokedAt).toBeLessThan(WITHIN_MS);
    expect(socketAt - revokedAt).toBeLessThan(WITHIN_MS);

    expect(revoked.closed()).toEqual({ code: 4403, reason: 'Forbidden: the API key was revoked or changed' });
    // Its subscription ended with the socket; the client does not retry a key refused.
    expect((await revoked.subscription.next()).errors).toBeDefined();
    // The organisation's other key is untouched, on its socket and over HTTP.
    expect(kept.closed()).toBeUndefined();
    expect((await wsRequest(kept.ws, ViewerDocument)).data?.viewer.role).toBe('MEMBER');
    expect((await onOther(otherKey).data(ViewerDocument)).viewer.role).toBe('MEMBER');
    // A new socket with the revoked key is refused too.
    const again = openWsClient(nodes[1].wsUrl, keys.member);
    sockets.push(again);
    const refused = await wsRequest(again, ViewerDocument).catch((event: { code?: number }) => event);
    expect(refused).toMatchObject({ code: 4403 });
  });
});
