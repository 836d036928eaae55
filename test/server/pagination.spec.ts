import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, parse, print, type GraphQLFormattedError } from 'graphql';
import { buildAppSchema } from '../../src/app/build-schema';
import { queryCost } from '../../src/common/graphql/query-cost';
import { loadConfig } from '../../src/config';
import {
  AdvanceTestClockDocument,
  AlertsDocument,
  AuditLogDocument,
  InvoicesDocument,
  RecentAlertIdsDocument,
  TooCostlyEventPagesDocument,
  UsageEventCountDocument,
  UsageEventsDocument,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { planWithOrganization, record } from '../helpers/usage-fixtures';
import { openWsClient, wsRequest } from '../helpers/ws-client';

interface Answer<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLFormattedError[];
  extensions?: { cost?: { requested: number; limit: number } };
}

const LIMIT = loadConfig({}).limits.maxCost;
const EVENTS = 600;

describe('pagination within the query limits', () => {
  let t: TestServer;
  let org: string;

  /** The whole answer over HTTP, extensions included. */
  async function ask<T, V>(document: TypedDocumentNode<T, V>, variables: V, key = t.adminKey): Promise<Answer<T>> {
    const res = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return { status: res.status, ...((await res.json()) as Omit<Answer<T>, 'status'>) };
  }

  beforeAll(async () => {
    t = await startTestServer();
    org = await planWithOrganization(
      t.admin,
      [
        { code: 'page_calls', unit: 'call', aggregation: 'SUM' },
        { code: 'page_tokens', unit: 'token', aggregation: 'SUM' },
      ],
      {
        code: 'paged',
        name: 'Paged',
        currency: 'USD',
        basePrice: '10',
        charges: [
          { metric: 'page_calls', model: 'PER_UNIT', unitPrice: '0.01', limit: '500' },
          { metric: 'page_tokens', model: 'PER_UNIT', unitPrice: '0.0003' },
        ],
      },
    );
    // Past the call limit (alerts), then billed when the clock passes April 1st (an invoice with lines).
    await record(
      t.admin,
      org,
      Array.from({ length: EVENTS }, (_, i) => ({
        id: `event-${i}`,
        metric: i % 3 === 0 ? 'page_tokens' : 'page_calls',
        quantity: '1',
        timestamp: new Date(Date.parse('2026-03-10T00:00:00Z') + i * 1000).toISOString(),
      })),
    );
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-02T12:00:00Z' });
  });
  afterAll(() => t.close());

  // Each connection at its largest page, with the fields the tests and the dashboard select.
  const largestPages = () =>
    [
      ['invoices', 100, () => ask(InvoicesDocument, { organizationId: org, first: 100 })],
      ['alerts', 100, () => ask(AlertsDocument, { organizationId: org, first: 100 })],
      ['auditLog', 200, () => ask(AuditLogDocument, { organizationId: org, first: 200 })],
      ['usageEvents', 500, () => ask(UsageEventsDocument, { organizationId: org, first: 500 })],
    ] as const;

  it('answers the largest page of every connection within the default cost limit, and reports the cost', async () => {
    for (const [name, , run] of largestPages()) {
      const answer = await run();
      expect({ name, status: answer.status, errors: answer.errors }).toEqual({ name, status: 200, errors: undefined });
      expect(answer.extensions?.cost?.limit).toBe(LIMIT);
      expect(answer.extensions?.cost?.requested).toBeLessThanOrEqual(LIMIT);
    }
    const page = (await ask(UsageEventsDocument, { organizationId: org, first: 500 })).data!.usageEvents;
    expect([page.edges.length, page.pageInfo.hasNextPage]).toEqual([500, true]);
  });

  it('counts pages by their size: the cost grows with first', async () => {
    const small = await ask(UsageEventsDocument, { organizationId: org, first: 10 });
    const large = await ask(UsageEventsDocument, { organizationId: org, first: 500 });
    // Per event: its edge and its node; the connection and its pageInfo once.
    expect([small.extensions?.cost?.requested, large.extensions?.cost?.requested]).toEqual([2 + 10 * 2, 2 + 500 * 2]);
  });

  it('refuses a query over the limit before running it: 400, BAD_USER_INPUT / MAX_COST, with its cost', async () => {
    const answer = await ask(TooCostlyEventPagesDocument, { organizationId: org });
    expect(answer.status).toBe(400);
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MAX_COST' });
    expect(answer.errors?.[0]?.message).toContain(`costs 5005, more than the limit of ${LIMIT}`);
    expect(answer.extensions?.cost).toEqual({ requested: 5005, limit: LIMIT });
  });

  it('refuses it over websockets too, which enforce the limit without reporting the cost', async () => {
    const client = openWsClient(t.server.wsUrl, t.adminKey);
    try {
      const refused = await wsRequest(client, TooCostlyEventPagesDocument, { organizationId: org });
      expect(refused.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MAX_COST' });
      const page = await wsRequest(client, UsageEventsDocument, { organizationId: org, first: 500 });
      expect(page.errors).toBeUndefined();
      expect(page.data?.usageEvents.edges).toHaveLength(500);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a page size outside 1 to the maximum on every connection with BAD_USER_INPUT / INVALID_PAGE_SIZE', async () => {
    const sizes = (max: number) => [0, -1, max + 1, 1_000_000];
    const refusals: Array<[string, number, unknown]> = [];
    const reasonOf = (answer: Answer<unknown>) => answer.errors?.[0]?.extensions && { ...answer.errors[0].extensions };
    for (const first of sizes(100)) {
      refusals.push(['invoices', first, reasonOf(await ask(InvoicesDocument, { organizationId: org, first }))]);
      refusals.push(['alerts', first, reasonOf(await ask(AlertsDocument, { organizationId: org, first }))]);
    }
    for (const first of sizes(200))
      refusals.push(['auditLog', first, reasonOf(await ask(AuditLogDocument, { organizationId: org, first }))]);
    for (const first of sizes(500))
      refusals.push(['usageEvents', first, reasonOf(await ask(UsageEventsDocument, { organizationId: org, first }))]);
    expect(refusals.filter(([, , reason]) => JSON.stringify(reason) !== '{"code":"BAD_USER_INPUT","reason":"INVALID_PAGE_SIZE"}')).toEqual(
      [],
    );
  });

  it('counts totalCount on every connection, with its filters', async () => {
    const invoices = (await t.admin.data(InvoicesDocument, { organizationId: org, first: 100 })).invoices;
    expect([invoices.totalCount, invoices.edges.length]).toEqual([1, 1]);
    const alerts = (await t.admin.data(AlertsDocument, { organizationId: org, first: 100 })).alerts;
    expect(alerts.totalCount).toBeGreaterThan(0);
    expect(alerts.totalCount).toBe(alerts.edges.length);
    const critical = (await t.admin.data(AlertsDocument, { organizationId: org, first: 1, severity: 'CRITICAL' })).alerts;
    expect(critical.totalCount).toBe(alerts.edges.filter((e) => e.node.severity === 'CRITICAL').length);
    const audit = (await t.admin.data(AuditLogDocument, { organizationId: org, first: 1, operation: 'recordUsage' })).auditLog;
    expect([audit.totalCount, audit.edges.length, audit.pageInfo.hasNextPage]).toEqual([1, 1, false]);
    const counts = await Promise.all(
      [undefined, 'page_calls', 'page_tokens', 'no_such_metric'].map(
        async (metric) => (await t.admin.data(UsageEventCountDocument, { organizationId: org, metric })).usageEvents.totalCount,
      ),
    );
    expect(counts).toEqual([EVENTS, (EVENTS * 2) / 3, EVENTS / 3, 0]);
  });

  it('counts only when totalCount is asked for', async () => {
    const countsDuring = async (run: () => Promise<unknown>) => {
      const spy = jest.spyOn(t.db.logger, 'logQuery');
      try {
        await run();
        return spy.mock.calls.filter(([query]) => /^SELECT count\(|^SELECT COUNT\(/i.test(query.trim())).length;
      } finally {
        spy.mockRestore();
      }
    };
    expect(await countsDuring(() => t.admin.data(RecentAlertIdsDocument, { organizationId: org, first: 100 }))).toBe(0);
    expect(await countsDuring(() => t.admin.data(AlertsDocument, { organizationId: org, first: 100 }))).toBe(1);
    expect(await countsDuring(() => t.admin.data(UsageEventsDocument, { organizationId: org, first: 100 }))).toBe(0);
    expect(await countsDuring(() => t.admin.data(UsageEventCountDocument, { organizationId: org }))).toBe(1);
  });

  it("refuses another organisation's key on the pages and their counts (FORBIDDEN)", async () => {
    const other = await planWithOrganization(t.admin, [], {
      code: 'paged_other',
      name: 'Other',
      currency: 'USD',
      basePrice: '0',
      charges: [],
    });
    const key = await createApiKey(t.admin, other, 'TENANT_ADMIN');
    const codes = [
      await ask(RecentAlertIdsDocument, { organizationId: org, first: 10 }, key),
      await ask(UsageEventCountDocument, { organizationId: org }, key),
      await ask(UsageEventsDocument, { organizationId: org, first: 500 }, key),
    ].map((answer) => answer.errors?.[0]?.extensions?.code);
    expect(codes).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
  });
});

describe('the cost of what clients send', () => {
  const ROOT = join(__dirname, '..', '..');
  /** Over the limit on purpose. */
  const COSTLY = new Set(['TooCostlyEventPages']);

  it.each(['test/operations', 'web/src/operations'])('%s: every operation fits under the default limit at its largest pages', (dir) => {
    const files = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.graphql'));
    const document = parse(files.map((f) => readFileSync(join(ROOT, dir, f), 'utf8')).join('\n'));
    const schema = buildAppSchema();
    const over: Array<[string, number]> = [];
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION || COSTLY.has(definition.name?.value ?? '')) continue;
      // A `first` past every maximum counts as each connection's largest page.
      const cost = queryCost(schema, document, definition, { first: Number.MAX_SAFE_INTEGER });
      if (cost > LIMIT) over.push([definition.name?.value ?? '(anonymous)', cost]);
    }
    expect(over).toEqual([]);
  });
});
