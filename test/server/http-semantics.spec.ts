import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { print } from 'graphql';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import { loadConfig } from '../../src/config';
import { ApiKeyService } from '../../src/modules/api-key/api-key.service';
import { startServer } from '../../src/server';
import { AlertTriggeredDocument, CreateMetricDocument, DeepPlansDocument, ManyAliasesDocument, ViewerDocument } from '../generated/graphql';
import { createTestDatabase } from '../helpers/test-database';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * GraphQL over HTTP, case by case: every client mistake is a 4xx with a stable `extensions.code`, a clear message
 * and no stack trace; only the server's own faults are 500, logged with the request's id.
 */
describe('GraphQL over HTTP: status codes and error codes', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ limits: { maxDepth: 5, maxAliases: 15, maxCost: 5000, maxTokens: 2000 } });
  });
  afterAll(() => t.close());

  async function send(init: { method?: string; body?: unknown; raw?: string; search?: string; headers?: Record<string, string> }) {
    const res = await fetch(`${t.server.url}${init.search ?? ''}`, {
      method: init.method ?? 'POST',
      headers: {
        ...(init.method === 'GET' ? {} : { 'content-type': 'application/json' }),
        authorization: `Bearer ${t.adminKey}`,
        ...init.headers,
      },
      body: init.method === 'GET' ? undefined : (init.raw ?? JSON.stringify(init.body)),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
  }

  /** The one error of an answer, checked for what every error must have: a code and no stack trace. */
  function onlyError(answer: Answer) {
    expect(answer.body.errors).toHaveLength(1);
    const error = answer.body.errors![0]!;
    expect(error.extensions).not.toHaveProperty('stacktrace');
    expect(answer.body.data ?? null).toBeNull();
    return { status: answer.status, message: error.message, ...error.extensions };
  }

  it('answers a syntax error with 400 GRAPHQL_PARSE_FAILED', async () => {
    expect(onlyError(await send({ body: { query: '{ viewer ' } }))).toEqual({
      status: 400,
      message: 'Syntax Error: Expected Name, found <EOF>.',
      code: 'GRAPHQL_PARSE_FAILED',
    });
  });

  it('answers a document that does not fit the schema with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    expect(onlyError(await send({ body: { query: '{ noSuchField }' } }))).toEqual({
      status: 400,
      message: 'Cannot query field "noSuchField" on type "Query".',
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  it('answers several operations without operationName, or an unknown one, with 400 OPERATION_RESOLUTION_FAILURE, every time', async () => {
    const query = `${print(ViewerDocument)}\nquery Other { __typename }`;
    // Asked three times: from the second, the compiled (graphql-jit) path is the one that answers.
    for (let i = 0; i < 3; i++) {
      expect(onlyError(await send({ body: { query } }))).toEqual({
        status: 400,
        message: 'Must provide operation name if query contains multiple operations.',
        code: 'OPERATION_RESOLUTION_FAILURE',
      });
      expect(onlyError(await send({ body: { query, operationName: 'Nope' } }))).toEqual({
        status: 400,
        message: 'Unknown operation named "Nope".',
        code: 'OPERATION_RESOLUTION_FAILURE',
      });
      const named = await send({ body: { query, operationName: 'Viewer' } });
      expect(named).toMatchObject({ status: 200, body: { data: { viewer: { role: 'PLATFORM_ADMIN' } } } });
    }
  });

  it('answers each query limit with 400 BAD_USER_INPUT, its reason and a message without "Syntax Error"', async () => {
    expect(onlyError(await send({ body: { query: `{ ${'__typename '.repeat(2100)}}` } }))).toEqual({
      status: 400,
      message: 'Token limit of 2000 exceeded.',
      code: 'BAD_USER_INPUT',
      reason: 'MAX_TOKENS',
    });
    expect(onlyError(await send({ body: { query: print(DeepPlansDocument) } }))).toEqual({
      status: 400,
      message: expect.stringMatching(/^Query depth limit of 5 exceeded, found \d+\.$/) as string,
      code: 'BAD_USER_INPUT',
      reason: 'MAX_DEPTH',
    });
    expect(onlyError(await send({ body: { query: print(ManyAliasesDocument) } }))).toEqual({
      status: 400,
      message: 'Aliases limit of 15 exceeded, found 16.',
      code: 'BAD_USER_INPUT',
      reason: 'MAX_ALIASES',
    });
  });

  it('answers a subscription sent over HTTP with 400, pointing to graphql-ws at /graphql', async () => {
    const body = { query: print(AlertTriggeredDocument), variables: { organizationId: '00000000-0000-0000-0000-000000000000' } };
    const error = onlyError(await send({ body }));
    expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(error.message).toContain('graphql-ws');
    expect(error.message).toContain('/graphql');
  });

  it('answers unreadable bodies and requests without an operation with 400 BAD_REQUEST', async () => {
    const cases: Array<[string, Parameters<typeof send>[0], string]> = [
      ['bad JSON', { raw: '{"query": ' }, 'The request body is not valid JSON'],
      ['a JSON string', { raw: '"{ viewer { role } }"' }, 'The request body is not valid JSON'],
      ['no query', { body: {} }, 'POST body missing, invalid Content-Type, or JSON object has no keys.'],
      ['an empty query', { body: { query: '' } }, 'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.'],
      ['a batch', { body: [{ query: '{ __typename }' }] }, 'Operation batching disabled.'],
      [
        'variables not an object',
        { body: { query: '{ __typename }', variables: 3 } },
        '`variables` in a POST body must be an object if provided.',
      ],
    ];
    for (const [name, request, message] of cases) {
      expect({ name, ...onlyError(await send(request)) }).toEqual({ name, status: 400, message, code: 'BAD_REQUEST' });
    }
  });

  describe('automatic persisted queries', () => {
    const query = print(ViewerDocument);
    const persisted = (sha256Hash: string, version = 1) => ({ persistedQuery: { version, sha256Hash } });

    it('answers an unknown hash as the APQ protocol says (PERSISTED_QUERY_NOT_FOUND), then runs it once registered', async () => {
      const text = `${query}\n# apq ${process.pid}`;
      const missing = await send({ body: { extensions: persisted(sha256(text)) } });
      // Apollo Client and urql resend the query with its hash on this answer, which the APQ protocol sends as 200.
      expect(onlyError(missing)).toEqual({ status: 200, message: 'PersistedQueryNotFound', code: 'PERSISTED_QUERY_NOT_FOUND' });
      const registered = await send({ body: { query: text, extensions: persisted(sha256(text)) } });
      expect(registered).toMatchObject({ status: 200, body: { data: { viewer: { role: 'PLATFORM_ADMIN' } } } });
      const hit = await send({ body: { extensions: persisted(sha256(text)) } });
      expect(hit).toMatchObject({ status: 200, body: { data: { viewer: { role: 'PLATFORM_ADMIN' } } } });
    });

    it('answers a hash that is not the query text’s with 400 BAD_REQUEST, and an unknown version likewise', async () => {
      expect(onlyError(await send({ body: { query, extensions: persisted('0'.repeat(64)) } }))).toEqual({
        status: 400,
        message: 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query text sent with it',
        code: 'BAD_REQUEST',
      });
      expect(onlyError(await send({ body: { query, extensions: persisted(sha256(query), 2) } }))).toEqual({
        status: 400,
        message: 'Unsupported persisted query version',
        code: 'BAD_REQUEST',
      });
    });
  });

  describe('GET', () => {
    const search = (query: string) => `?query=${encodeURIComponent(query)}`;

    it('answers a query sent with GET and an Authorization header, as urql does by default (no CSRF header)', async () => {
      const answer = await send({ method: 'GET', search: search(print(ViewerDocument)) });
      expect(answer).toMatchObject({ status: 200, body: { data: { viewer: { role: 'PLATFORM_ADMIN' } } } });
    });

    it('still refuses a GET without Authorization or a CSRF header as a possible forgery', async () => {
      const answer = await send({ method: 'GET', search: search(print(ViewerDocument)), headers: { authorization: '' } });
      expect(onlyError(answer)).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: expect.stringContaining('CSRF') as string });
    });

    it('refuses a mutation over GET with 405', async () => {
      const mutation = print(CreateMetricDocument);
      const answer = await send({ method: 'GET', search: `${search(mutation)}&variables=${encodeURIComponent('{"input":{}}')}` });
      expect(onlyError(answer)).toEqual({
        status: 405,
        message: 'GET requests only support query operations, not mutation operations',
        code: 'BAD_REQUEST',
      });
      expect(answer.headers.get('allow')).toBe('POST');
    });
  });

  describe('request ids', () => {
    it('names every answer with X-Request-Id: the caller’s when sane, a new UUID otherwise', async () => {
      expect((await send({ body: { query: '{ __typename }' } })).headers.get('x-request-id')).toMatch(UUID);
      const mine = 'trace-0123456789abcdef';
      expect((await send({ body: { query: '{ __typename }' }, headers: { 'x-request-id': mine } })).headers.get('x-request-id')).toBe(mine);
      for (const insane of ['short', 'x'.repeat(200), 'has space in it', '<script>alert(1)</script>']) {
        expect(
          (await send({ body: { query: '{ __typename }' }, headers: { 'x-request-id': insane } })).headers.get('x-request-id'),
        ).toMatch(UUID);
      }
      // Refusals too: the id is set before anything else is looked at.
      expect((await send({ raw: '{', headers: { authorization: '' } })).headers.get('x-request-id')).toMatch(UUID);
    });
  });
});

describe('GraphQL over HTTP: our own faults', () => {
  it('answers an internal failure without its details and logs it with the request id', async () => {
    const lines: Array<{ msg: string; requestId?: string; err?: { message: string } }> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const database = await createTestDatabase();
    const db = new DataSource(dataSourceOptions(database.url, { extra: { max: 4 } }));
    await db.initialize();
    const adminKey = ApiKeyService.generate();
    await new ApiKeyService(db).ensurePlatformAdminKey(adminKey);
    const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', billingIntervalSeconds: 0 };
    const server = await startServer({ db, config, logger: pino({ level: 'error' }, stream) });
    try {
      await db.destroy();
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}`, 'x-request-id': 'fault-0123456789' },
        body: JSON.stringify({ query: print(ViewerDocument) }),
      });
      const body = (await res.json()) as Answer['body'];
      expect(res.headers.get('x-request-id')).toBe('fault-0123456789');
      expect(body.errors).toEqual([{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      const logged = lines.filter((line) => line.requestId === 'fault-0123456789');
      expect(logged.length).toBeGreaterThan(0);
      expect(logged[0]!.err?.message).toBeTruthy();
    } finally {
      await server.close();
      await database.drop();
    }
  });
});
