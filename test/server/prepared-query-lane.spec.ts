import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { PreparedQueryLane } from '../../src/common/http/prepared-query-lane';
import {
  CreateMetricDocument,
  EntitlementCheckDocument,
  MetricsDocument,
  OrganizationsDocument,
  PlansDocument,
  ViewerDocument,
} from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Sent {
  query: string;
  variables?: unknown;
  operationName?: string;
  extensions?: unknown;
}

/** What a client can observe of an answer: the status, the headers (but the date and the request's id) and the body's text. */
interface Observed {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Headers that differ between any two answers. */
const PER_ANSWER = new Set(['date', 'x-request-id']);

/**
 * The prepared-query lane answers a repeated query without Apollo's pipeline.
 * What it answers, data or a resolver's errors, must be Apollo's answer to the
 * letter, and what it cannot answer (variables it cannot coerce, a cost over the
 * limit, mutations, persisted queries, content Apollo refuses) must reach Apollo
 * untouched.
 */
describe('prepared-query lane', () => {
  let t: TestServer;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let other: Awaited<ReturnType<typeof createTenant>>;
  const answered = jest.spyOn(PreparedQueryLane.prototype, 'answer');
  let comments = 0;

  beforeAll(async () => {
    t = await startTestServer({ limits: { maxDepth: 12, maxAliases: 15, maxCost: 5000, maxTokens: 2000 } });
    const { plan } = await createCatalog(t.admin);
    tenant = await createTenant(t.admin, plan.code);
    other = await createTenant(t.admin, plan.code);
  });
  afterAll(() => t.close());
  beforeEach(() => answered.mockClear());

  async function send(body: Sent, key = t.adminKey, headers: Record<string, string> = {}): Promise<Observed> {
    const res = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify(body),
    });
    const kept = [...res.headers].filter(([name]) => !PER_ANSWER.has(name));
    return { status: res.status, headers: Object.fromEntries(kept), text: await res.text() };
  }

  /** Apollo's answer: the text made new by a comment, so that the lane has never seen it. */
  const apollo = (body: Sent, key?: string, headers?: Record<string, string>) =>
    send({ ...body, query: `${body.query}\n# fresh ${++comments}` }, key, headers);

  /** Whether the lane answered each request since the last reset, in order. */
  const laneAnswers = () => Promise.all(answered.mock.results.map((result) => result.value as Promise<boolean>));

  const body = <T, V>(document: TypedDocumentNode<T, V>, variables?: V): Sent => ({ query: print(document), variables });

  it('answers a query from its second request on, exactly as Apollo does', async () => {
    const cases: Sent[] = [
      body(ViewerDocument),
      body(EntitlementCheckDocument, { organizationId: tenant.organization.id, feature: 'sso' }),
      body(PlansDocument),
    ];
    for (const sent of cases) {
      const expected = await apollo(sent);
      expect(expected.status).toBe(200);
      answered.mockClear();
      const answers = [await send(sent), await send(sent), await send(sent)];
      expect(await laneAnswers()).toEqual([false, true, true]);
      for (const answer of answers) expect(answer).toEqual(expected);
    }
  });

  it('costs each request by its own page size, as Apollo reports it', async () => {
    const query = print(OrganizationsDocument);
    await send({ query, variables: { first: 50 } });
    const small = await send({ query, variables: { first: 2 } });
    const large = await send({ query, variables: { first: 50 } });
    expect(await laneAnswers()).toEqual([false, true, true]);
    expect(small).toEqual(await apollo({ query, variables: { first: 2 } }));
    expect(large).toEqual(await apollo({ query, variables: { first: 50 } }));
    expect(JSON.parse(small.text).extensions.cost.requested).toBeLessThan(JSON.parse(large.text).extensions.cost.requested);
  });

  it("negotiates the content type as Apollo does, and leaves Apollo's 406 to Apollo", async () => {
    const sent = body(ViewerDocument);
    for (const accept of ['application/graphql-response+json', 'application/json;q=0.5, application/graphql-response+json', '*/*']) {
      const expected = await apollo(sent, undefined, { accept });
      answered.mockClear();
      const answers = [await send(sent, undefined, { accept }), await send(sent, undefined, { accept })];
      expect(await laneAnswers()).toEqual([true, true]);
      for (const answer of answers) expect(answer).toEqual(expected);
    }
    answered.mockClear();
    const refused = [await send(sent, undefined, { accept: 'text/html' }), await send(sent, undefined, { accept: 'text/html' })];
    expect(await laneAnswers()).toEqual([false, false]);
    for (const answer of refused) expect(answer.status).toBe(406);
  });

  it("answers a resolver's error as Apollo does, running the query once", async () => {
    // A text of its own, which this process has not seen yet.
    const query = `${print(EntitlementCheckDocument)}\n# errors`;
    const forbidden = { query, variables: { organizationId: other.organization.id, feature: 'sso' } };
    const badFeature = { query, variables: { organizationId: tenant.organization.id, feature: 'Not A Code' } };
    for (const [sent, key, code] of [
      [forbidden, tenant.keys.tenantAdmin, 'FORBIDDEN'],
      [badFeature, t.adminKey, 'BAD_USER_INPUT'],
    ] as const) {
      const expected = await apollo(sent, key);
      expect(JSON.parse(expected.text).errors[0].extensions.code).toBe(code);
      answered.mockClear();
      const answers = [await send(sent, key), await send(sent, key), await send(sent, key)];
      expect(await laneAnswers()).toEqual(code === 'FORBIDDEN' ? [false, true, true] : [true, true, true]);
      for (const answer of answers) expect(answer).toEqual(expected);
    }
    const resolved = jest.spyOn(t.server.services.entitlements, 'entitlement');
    try {
      await send(forbidden, tenant.keys.tenantAdmin);
      expect(resolved).toHaveBeenCalledTimes(1);
    } finally {
      resolved.mockRestore();
    }
  });

  it('leaves variables it cannot coerce and a cost over the limit to Apollo', async () => {
    const badVariable = { query: print(EntitlementCheckDocument), variables: { organizationId: tenant.organization.id, feature: 5 } };
    const expected = await apollo(badVariable);
    answered.mockClear();
    const answers = [await send(badVariable), await send(badVariable), await send(badVariable)];
    expect(await laneAnswers()).toEqual([false, false, false]);
    for (const answer of answers) expect(answer).toEqual(expected);
    expect(JSON.parse(expected.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    // A page of 100 organisations costs more than a second node's low limit.
    const limited = await startTestServer({ limits: { maxDepth: 12, maxAliases: 15, maxCost: 50, maxTokens: 2000 } }, t);
    try {
      const tooCostly = { query: print(OrganizationsDocument), variables: { first: 100 } };
      answered.mockClear();
      for (let i = 0; i < 3; i++) {
        const res = await fetch(limited.server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
          body: JSON.stringify(tooCostly),
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { errors: Array<{ extensions: { reason: string } }> }).errors[0]!.extensions.reason).toBe('MAX_COST');
      }
      expect(await laneAnswers()).toEqual([false, false, false]);
    } finally {
      await limited.close();
    }
  });

  it('never runs a mutation: each request creates its metric once', async () => {
    const query = print(CreateMetricDocument);
    const codes = ['lane_a', 'lane_b', 'lane_c'];
    for (const code of codes) {
      const answer = await send({ query, variables: { input: { code, unit: 'call', aggregation: 'SUM' } } });
      expect(JSON.parse(answer.text).data.createMetric.code).toBe(code);
    }
    expect(await laneAnswers()).toEqual([false, false, false]);
    const { metrics } = await t.admin.data(MetricsDocument);
    expect(metrics.filter((metric) => codes.includes(metric.code)).map((metric) => metric.code)).toEqual(codes);
  });

  it('leaves persisted queries to Apollo', async () => {
    const query = print(ViewerDocument);
    const persisted = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const first = await send({ query, extensions: persisted });
    const second = await send({ query: undefined as unknown as string, extensions: persisted });
    const third = await send({ query, extensions: persisted });
    expect(await laneAnswers()).toEqual([false, false, false]);
    expect(JSON.parse(first.text).data.viewer.role).toBe('PLATFORM_ADMIN');
    expect(second).toEqual(first);
    expect(third).toEqual(first);
  });

  it("counts the lane's answers in the request metrics, as Apollo's", async () => {
    const count = async () => {
      const text = await (await fetch(t.server.url.replace('/graphql', '/metrics'))).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('meterly_graphql_requests_total{operation="viewer",type="query",outcome="ok"}'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    for (let i = 0; i < 5; i++) await send(body(ViewerDocument));
    expect(await laneAnswers()).toEqual([true, true, true, true, true]);
    expect((await count()) - before).toBe(5);
  });
});
