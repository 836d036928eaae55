import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { print } from 'graphql';
import pino from 'pino';
import { PERSISTED_QUERY_MAX_CHARS, PERSISTED_QUERY_MAX_ROWS, PostgresQueryCache } from '../../src/common/graphql/persisted-query-cache';
import { ApiKeyService } from '../../src/modules/api-key/api-key.service';
import { ViewerDocument } from '../generated/graphql';
import { freePort, waitForPort } from '../helpers/free-port';
import { startTwoNodes, type ServerProcess } from '../helpers/server-process';
import type { TestDatabase } from '../helpers/test-database';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitFor } from '../helpers/wait-for';

interface Answer {
  data?: { viewer?: { role: string } } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

let sequence = 0;
/** The Viewer operation under a comment no other request used, and its hash: a query no node has met yet. */
function freshQuery(): { query: string; sha256Hash: string } {
  const query = `# ${process.pid} ${++sequence}\n${print(ViewerDocument)}`;
  return { query, sha256Hash: createHash('sha256').update(query).digest('hex') };
}

async function send(url: string, key: string, body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Answer;
}

const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

/** Registers the query on one node (text and hash), then sends the hash alone to the other until it answers. */
async function registerThenRunElsewhere(register: string, run: string, key: string): Promise<Answer> {
  const { query, sha256Hash } = freshQuery();
  expect((await send(run, key, { extensions: persisted(sha256Hash) })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  expect((await send(register, key, { query, extensions: persisted(sha256Hash) })).data?.viewer?.role).toBe('PLATFORM_ADMIN');
  // Apollo stores the text after it answers the registration: the other node finds it once that write is done.
  return waitFor(async () => {
    const answer = await send(run, key, { extensions: persisted(sha256Hash) });
    return answer.errors?.[0]?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND' ? undefined : answer;
  });
}

describe('persisted queries shared by the server processes of a deployment (PostgreSQL)', () => {
  const adminKey = ApiKeyService.generate();
  let database: TestDatabase;
  let nodes: [ServerProcess, ServerProcess];

  beforeAll(async () => {
    ({ database, nodes } = await startTwoNodes(adminKey));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes?.map((node) => node.stop()) ?? []);
    await database?.drop();
  });

  it('runs a hash registered on one process, sent alone to the other, and back', async () => {
    const [one, two] = nodes;
    expect((await registerThenRunElsewhere(one.url, two.url, adminKey)).data?.viewer?.role).toBe('PLATFORM_ADMIN');
    expect((await registerThenRunElsewhere(two.url, one.url, adminKey)).data?.viewer?.role).toBe('PLATFORM_ADMIN');
  });
});

describe('the PostgreSQL store: bounded, and a miss when unreachable', () => {
  let t: TestServer;
  let cache: PostgresQueryCache;
  beforeAll(async () => {
    t = await startTestServer();
    cache = new PostgresQueryCache(t.db, pino({ level: 'silent' }));
  });
  afterAll(() => t.close());

  it('keeps a text for the time asked, and drops expired rows and those past the row limit when pruning', async () => {
    await cache.set('apq:kept', '{ __typename }', { ttl: 10 });
    expect(await new PostgresQueryCache(t.db, pino({ level: 'silent' })).get('apq:kept')).toBe('{ __typename }');
    // Fillers expiring after it (31 s, 32 s, ...), five more than the limit, and one row expired already.
    await t.db.query(
      `INSERT INTO persisted_queries (key, query, expires_at)
       SELECT 'apq:filler-' || i, '{ __typename }', now() + make_interval(secs => 30 + i) FROM generate_series(1, $1) AS i`,
      [PERSISTED_QUERY_MAX_ROWS + 5],
    );
    await t.db.query(`INSERT INTO persisted_queries (key, query, expires_at) VALUES ('apq:expired', '{ a }', now() - interval '1 second')`);
    await cache.prune();
    const counted = (await t.db.query('SELECT count(*)::int AS rows FROM persisted_queries')) as Array<{ rows: number }>;
    expect(counted).toEqual([{ rows: PERSISTED_QUERY_MAX_ROWS }]);
    // The six that expire first went: the 10-second entry and the first five fillers.
    const left = (await t.db.query(
      `SELECT key FROM persisted_queries WHERE key IN ('apq:kept', 'apq:expired', 'apq:filler-5', 'apq:filler-6') ORDER BY key`,
    )) as unknown[];
    expect(left).toEqual([{ key: 'apq:filler-6' }]);
  });

  it('does not keep a text past PERSISTED_QUERY_MAX_CHARS', async () => {
    await cache.set('apq:long', `{ __typename }${' '.repeat(PERSISTED_QUERY_MAX_CHARS)}`);
    expect(await t.db.query(`SELECT key FROM persisted_queries WHERE key = 'apq:long'`)).toEqual([]);
  });

  it('answers a miss, not an error, when the database cannot be reached', async () => {
    const other = await startTestServer();
    const broken = new PostgresQueryCache(other.db, pino({ level: 'silent' }));
    await other.db.destroy();
    try {
      await expect(broken.get('apq:anything')).resolves.toBeUndefined();
      await expect(broken.set('apq:anything', '{ __typename }')).resolves.toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('PERSISTED_QUERIES=off', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ persistedQueries: false });
  });
  afterAll(() => t.close());

  it('refuses every persisted query with PERSISTED_QUERY_NOT_SUPPORTED and says to send the text; plain queries run', async () => {
    const { query, sha256Hash } = freshQuery();
    for (const body of [{ extensions: persisted(sha256Hash) }, { query, extensions: persisted(sha256Hash) }]) {
      expect((await send(t.server.url, t.adminKey, body)).errors).toEqual([
        {
          message: 'Persisted queries are turned off on this server: send the query text',
          extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' },
        },
      ]);
    }
    expect((await send(t.server.url, t.adminKey, { query })).data?.viewer?.role).toBe('PLATFORM_ADMIN');
  });
});

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis) console.warn('persisted-queries.spec: redis-server is not installed, so the Redis store was NOT tested.');

(hasRedis ? describe : describe.skip)('persisted queries in Redis (REDIS_URL)', () => {
  let redis: ChildProcess;
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port);
    one = await startTestServer({ redisUrl: `redis://127.0.0.1:${port}` });
    two = await startTestServer({ redisUrl: `redis://127.0.0.1:${port}` }, one);
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    redis?.kill();
  });

  it('runs a hash registered on one node on the other, from Redis rather than PostgreSQL', async () => {
    expect((await registerThenRunElsewhere(one.server.url, two.server.url, one.adminKey)).data?.viewer?.role).toBe('PLATFORM_ADMIN');
    expect(await one.db.query('SELECT key FROM persisted_queries')).toEqual([]);
  });
});
