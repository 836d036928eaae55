import { DeepPlansDocument, IntrospectionTypeNamesDocument, ManyAliasesDocument, ViewerDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('the server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ limits: { maxDepth: 5, maxAliases: 15, maxCost: 5000, maxTokens: 2000 } });
  });
  afterAll(() => t.close());

  const base = () => t.server.url.replace(/\/graphql$/, '');

  it('reports health with the database checked', async () => {
    const res = await fetch(`${base()}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('exposes Prometheus metrics with requests counted by operation', async () => {
    await t.admin.data(ViewerDocument);
    const res = await fetch(`${base()}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/meterly_graphql_requests_total\{operation="viewer",type="query",outcome="ok"\} [1-9]/);
    expect(text).toContain('meterly_graphql_request_duration_seconds_bucket');
    expect(text).toContain('meterly_process_cpu_seconds_total');
  });

  it('marks GraphQL answers as not cacheable, without an ETag', async () => {
    const res = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
  });

  it('answers queries sent with GET, on /graphql and /graphql/', async () => {
    for (const path of ['', '/']) {
      const res = await fetch(`${t.server.url}${path}?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { authorization: `Bearer ${t.adminKey}`, 'apollo-require-preflight': 'true' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('answers an unreadable body in GraphQL error shape: 400 for bad JSON, 415 for another charset, 413 past 16 MB', async () => {
    const post = (body: string) =>
      fetch(t.server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` }, body });
    const bad = await post('{"query": ');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    const latin = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin1', authorization: `Bearer ${t.adminKey}` },
      body: '{}',
    });
    expect(latin.status).toBe(415);
    expect(((await latin.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toContain('not supported');
    const huge = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(17 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses a query deeper than the limit with BAD_USER_INPUT / MAX_DEPTH', async () => {
    const res = await t.admin.request(DeepPlansDocument);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_DEPTH' });
    expect(res.data ?? null).toBeNull();
  });

  it('refuses too many aliases with BAD_USER_INPUT / MAX_ALIASES', async () => {
    const res = await t.admin.request(ManyAliasesDocument);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_ALIASES' });
  });

  it('answers introspection by default, for partners generating clients', async () => {
    expect((await t.admin.data(IntrospectionTypeNamesDocument)).__schema.queryType.name).toBe('Query');
  });

  it('answers introspection with nothing when GRAPHQL_INTROSPECTION is off', async () => {
    const closed = await startTestServer({ introspection: false });
    try {
      const res = await closed.admin.request(IntrospectionTypeNamesDocument);
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await closed.admin.data(ViewerDocument)).viewer.role).toBe('PLATFORM_ADMIN');
    } finally {
      await closed.close();
    }
  });

  it('hides internal failures: no message, no stack trace, health 503', async () => {
    const broken = await startTestServer();
    try {
      await broken.db.destroy();
      const res = await broken.admin.request(ViewerDocument);
      expect(res.errors).toEqual([{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      const health = await fetch(`${broken.server.url.replace(/\/graphql$/, '')}/healthz`);
      expect(health.status).toBe(503);
    } finally {
      await broken.close();
    }
  });
});
