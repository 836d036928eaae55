import { Client } from 'pg';
import { ApiKeyService } from '../../src/modules/api-key/api-key.service';
import { ViewerDocument } from '../generated/graphql';
import { createApiKey, createCatalog, createTenant } from '../helpers/factories';
import { GraphQLClient } from '../helpers/graphql-client';
import { startTwoNodes, type ServerProcess } from '../helpers/server-process';
import type { TestDatabase } from '../helpers/test-database';

/** How long each process may keep a known key without asking the database (ApiKeyService's cache TTL). */
const KEY_CACHE_TTL_MS = 5_000;

/**
 * Each process caches the keys it has seen. A key revoked or deleted in the
 * database must stop working on every process at once, not when each cache
 * entry expires: the database announces the change (a trigger's NOTIFY) and
 * every process drops the key.
 */
describe('API keys changed in the database, across server processes', () => {
  const adminKey = 'mtr_key-cache-admin-key-0000000000000000';
  let database: TestDatabase;
  let processes: ServerProcess[];
  let sql: Client;
  let admin: GraphQLClient;

  beforeAll(async () => {
    ({ database, nodes: processes } = await startTwoNodes(adminKey));
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    admin = new GraphQLClient(processes[0]!.url, adminKey);
  }, 60_000);

  afterAll(async () => {
    await sql.end();
    for (const server of processes) expect(await server.stop()).toBe(0);
    await database.drop();
  });

  /** Asks Viewer on each process until `key` is refused on all of them; the time that took. */
  async function refusedEverywhere(key: string): Promise<number> {
    const started = Date.now();
    for (const server of processes) {
      const client = new GraphQLClient(server.url, key);
      for (;;) {
        const res = await client.request(ViewerDocument);
        if (res.status === 401 && res.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') break;
        if (Date.now() - started > 2 * KEY_CACHE_TTL_MS) throw new Error(`still accepted on ${server.url}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    return Date.now() - started;
  }

  const usedOnBoth = async (key: string) => {
    for (const server of processes) expect((await new GraphQLClient(server.url, key).data(ViewerDocument)).viewer.role).toBe('MEMBER');
  };

  it('a key revoked in the database is refused by both processes at once, the others still work', async () => {
    const { plan } = await createCatalog(admin);
    const { organization, keys } = await createTenant(admin, plan.code);
    const other = await createApiKey(admin, organization.id, 'MEMBER');
    // Both processes now hold both keys in their caches.
    await usedOnBoth(keys.member);
    await usedOnBoth(other);
    await sql.query('UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1', [ApiKeyService.hash(keys.member)]);
    // Well inside the TTL of the entries just cached: only the announcement can have dropped them.
    expect(await refusedEverywhere(keys.member)).toBeLessThan(KEY_CACHE_TTL_MS / 2);
    await usedOnBoth(other);
  });

  it('a key deleted in the database is refused by both processes at once', async () => {
    const { plan } = await createCatalog(admin);
    const { keys } = await createTenant(admin, plan.code);
    await usedOnBoth(keys.member);
    await sql.query('DELETE FROM api_keys WHERE key_hash = $1', [ApiKeyService.hash(keys.member)]);
    expect(await refusedEverywhere(keys.member)).toBeLessThan(KEY_CACHE_TTL_MS / 2);
  });
});
