import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import {
  AdvanceTestClockDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  InvoicesDocument,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { CLOCK, planWithOrganization, record } from '../helpers/usage-fixtures';

/**
 * One truth: the server executes a document with graphql-js the first time it
 * sees it and with graphql-jit from its second time on (the jit plugin compiles
 * a document when it comes again). Every query of test/operations/ is asked
 * three times, and again with each of its fields' sub-selections alone, against
 * an organisation with usage, an invoice and alerts: all answers must agree.
 * Mutations change what they answer about and subscriptions are never compiled,
 * so only queries are compared.
 */

const RUNS = 3;
const OPERATIONS_DIR = join(__dirname, '..', 'operations');

interface Answer {
  data: unknown;
  errors: Array<{ message: string; path?: readonly (string | number)[]; code: unknown }> | undefined;
}

/** Every operation and fragment of test/operations/, parsed together as codegen reads them. */
function loadOperations(): { queries: OperationDefinitionNode[]; fragments: Map<string, FragmentDefinitionNode> } {
  const files = readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith('.graphql'));
  const document = parse(files.map((f) => readFileSync(join(OPERATIONS_DIR, f), 'utf8')).join('\n'));
  const fragments = new Map<string, FragmentDefinitionNode>();
  const queries: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'query') queries.push(definition);
  }
  return { queries, fragments };
}

/** The selections with fragment spreads replaced by their fragments' selections, at every depth. */
function inlineSpreads(selections: readonly SelectionNode[], fragments: Map<string, FragmentDefinitionNode>): SelectionNode[] {
  return selections.flatMap((selection): SelectionNode[] => {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      if (!fragment) throw new Error(`unknown fragment ${selection.name.value}`);
      return inlineSpreads(fragment.selectionSet.selections, fragments);
    }
    if (!selection.selectionSet) return [selection];
    return [
      {
        ...selection,
        selectionSet: { ...selection.selectionSet, selections: inlineSpreads(selection.selectionSet.selections, fragments) },
      },
    ];
  });
}

/** The operation with only the variable definitions its selections use (an unused one fails validation). */
function withUsedVariables(operation: OperationDefinitionNode): DocumentNode {
  const used = new Set<string>();
  visit(operation.selectionSet, { Variable: (node) => void used.add(node.name.value) });
  const variableDefinitions = operation.variableDefinitions?.filter((d) => used.has(d.variable.name.value));
  return { kind: Kind.DOCUMENT, definitions: [{ ...operation, variableDefinitions }] };
}

/** Where a selection's answer sits in its parent object. */
function responseKeys(selection: SelectionNode): string[] {
  if (selection.kind === Kind.FIELD) return [selection.alias?.value ?? selection.name.value];
  if (selection.kind === Kind.INLINE_FRAGMENT) return selection.selectionSet.selections.flatMap(responseKeys);
  throw new Error('spreads are inlined first');
}

/** A probe: the whole operation, or one top-level field with a single sub-selection. */
interface Probe {
  label: string;
  document: DocumentNode;
  /** For a sub-selection probe: the top-level field's key and the keys its sub-selection answers. */
  part?: { field: string; keys: string[] };
}

function probesOf(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): Probe[] {
  const name = operation.name?.value ?? '(anonymous)';
  const inlined = {
    ...operation,
    selectionSet: { ...operation.selectionSet, selections: inlineSpreads(operation.selectionSet.selections, fragments) },
  };
  const probes: Probe[] = [{ label: name, document: withUsedVariables(inlined) }];
  for (const top of inlined.selectionSet.selections) {
    if (top.kind !== Kind.FIELD || !top.selectionSet || top.selectionSet.selections.length < 2) continue;
    for (const child of top.selectionSet.selections) {
      const field: FieldNode = { ...top, selectionSet: { ...top.selectionSet, selections: [child] } };
      const keys = responseKeys(child);
      probes.push({
        label: `${name} ${top.alias?.value ?? top.name.value} { ${keys.join(' ')} }`,
        document: withUsedVariables({ ...inlined, selectionSet: { ...inlined.selectionSet, selections: [field] } }),
        part: { field: top.alias?.value ?? top.name.value, keys },
      });
    }
  }
  return probes;
}

/** The part of a whole answer that a sub-selection asks for. */
function restrict(value: unknown, keys: string[]): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item) => restrict(item, keys));
  const object = value as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

let probeSequence = 0;

describe('one truth: first execution (graphql-js) and compiled repeats (graphql-jit) agree', () => {
  let t: TestServer;
  let variables: Record<string, Record<string, unknown>>;
  let keys: Record<string, string>;

  /** Posts the document's text under a comment no other request used, so that the server meets it for the first time. */
  async function ask(document: DocumentNode, vars: Record<string, unknown>, key: string, runs: number): Promise<Answer[]> {
    const text = `# probe ${++probeSequence}\n${print(document)}`;
    const answers: Answer[] = [];
    for (let i = 0; i < runs; i++) {
      const res = await fetch(t.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: text, variables: vars }),
      });
      const body = (await res.json()) as {
        data?: unknown;
        errors?: Array<{ message: string; path?: (string | number)[]; extensions?: { code?: unknown } }>;
      };
      answers.push({
        data: body.data,
        errors: body.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })),
      });
    }
    return answers;
  }

  beforeAll(async () => {
    t = await startTestServer();
    const org = await planWithOrganization(
      t.admin,
      [
        { code: 'truth_calls', unit: 'call', aggregation: 'SUM' },
        { code: 'truth_tokens', unit: 'token', aggregation: 'SUM' },
      ],
      {
        code: 'truth',
        name: 'Truth',
        currency: 'USD',
        basePrice: '10',
        charges: [
          { metric: 'truth_calls', model: 'PER_UNIT', unitPrice: '0.01', limit: '100' },
          { metric: 'truth_tokens', model: 'PER_UNIT', unitPrice: '0.0003', included: '1000' },
        ],
      },
    );
    // An endpoint that logs March's events, deleted before the probes so that its log stands still (CANCELED);
    // another, for a type nothing here sends, to list.
    const { createWebhookEndpoint: logged } = await t.admin.data(CreateWebhookEndpointDocument, { url: 'https://hooks.example.com/truth' });
    await t.admin.data(CreateWebhookEndpointDocument, { url: 'https://hooks.example.com/listed', events: ['plan_change.requested'] });
    // March: past 80 % of the call limit (an alert), billed when the clock passes April 1st.
    await record(t.admin, org, [
      { id: 'march-1', metric: 'truth_calls', quantity: '90', timestamp: '2026-03-10T10:00:00Z', team: 'core' },
      { id: 'march-2', metric: 'truth_tokens', quantity: '5000', timestamp: '2026-03-10T11:00:00Z' },
    ]);
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-02T12:00:00Z' });
    // April: the case, 18 calls at 0.01.
    await record(t.admin, org, [{ id: 'april-1', metric: 'truth_calls', quantity: '18', timestamp: '2026-04-02T10:00:00Z' }]);
    await t.admin.data(DeleteWebhookEndpointDocument, { id: logged.endpoint.id });
    const invoice = (await t.admin.data(InvoicesDocument, { organizationId: org, first: 1 })).invoices.edges[0]?.node;
    if (!invoice) throw new Error('no invoice was issued for March');
    keys = { admin: t.adminKey, tenant: await createApiKey(t.admin, org, 'TENANT_ADMIN') };
    const byOrganization = { organizationId: org };
    variables = {
      AlertRules: byOrganization,
      Alerts: { ...byOrganization, first: 10 },
      Invoices: { ...byOrganization, first: 10 },
      Invoice: { id: invoice.id },
      InvoiceBankTransfer: { id: invoice.id },
      PaymentMethods: byOrganization,
      CreditBalance: { id: org },
      Plans: {},
      Metrics: {},
      CostBreakdown: { ...byOrganization, groupBy: ['metric', 'team'] },
      CostSeries: { ...byOrganization, groupBy: ['metric'] },
      EstimateCost: { planCode: 'truth', usage: [{ metric: 'truth_calls', quantity: '18' }] },
      Forecast: byOrganization,
      PlanRecommendations: byOrganization,
      AuditLog: { ...byOrganization, first: 10 },
      UsageEvents: { ...byOrganization, first: 10 },
      RecentAlertIds: { ...byOrganization, first: 10 },
      UsageEventCount: byOrganization,
      TooCostlyEventPages: byOrganization,
      DeepPlans: {},
      ManyAliases: {},
      IntrospectionTypeNames: {},
      Organization: { id: org },
      AlertWebhookUrl: { id: org },
      Organizations: { first: 10 },
      ApiKeys: byOrganization,
      AlertSmsRecipients: { id: org },
      Entitlements: byOrganization,
      EntitlementCheck: { ...byOrganization, feature: 'truth_calls' },
      PlanFeatures: {},
      PlanAccess: {},
      SpendControls: byOrganization,
      Usage: byOrganization,
      UsageSeries: { ...byOrganization, metric: 'truth_calls', granularity: 'DAY' },
      Viewer: {},
      WebhookEndpoints: {},
      WebhookDeliveries: { endpointId: logged.endpoint.id, first: 10 },
      PlanChangeRequests: byOrganization,
      InvoicesWithKind: { ...byOrganization, first: 10 },
      InvoiceTimeline: { id: invoice.id },
      InvoicesTimeline: { ...byOrganization, first: 10 },
    };
  });
  afterAll(() => t.close());

  const { queries, fragments } = loadOperations();
  // Questions about the caller: asked with the organisation's key, the rest with the platform admin's.
  const tenantAsks = new Set(['Viewer', 'DeepPlans', 'ManyAliases']);

  it('covers every query of test/operations/', () => {
    expect(queries.map((q) => q.name?.value).filter((name) => !name || !(name in variables))).toEqual([]);
  });

  it.each(queries.map((q) => [q.name?.value ?? '(anonymous)', q] as const))('%s', async (name, operation) => {
    const key = tenantAsks.has(name) ? keys.tenant! : keys.admin!;
    const vars = variables[name]!;
    const [whole, ...parts] = probesOf(operation, fragments);
    const wholeAnswers = await ask(whole!.document, vars, key, RUNS);
    for (const answer of wholeAnswers.slice(1))
      expect({ probe: whole!.label, ...answer }).toEqual({ probe: whole!.label, ...wholeAnswers[0] });
    if (wholeAnswers[0]!.errors) return;
    const wholeData = wholeAnswers[0]!.data as Record<string, unknown>;
    for (const part of parts) {
      const { field, keys: partKeys } = part.part!;
      const expected = { probe: part.label, data: { [field]: restrict(wholeData[field], partKeys) }, errors: undefined };
      for (const answer of await ask(part.document, vars, key, RUNS)) expect({ probe: part.label, ...answer }).toEqual(expected);
    }
  });

  it('answers the issue case the same both ways: 18 calls at 0.01 cost 0.18, whatever is selected', async () => {
    const org = variables.Usage!.organizationId;
    for (const selection of ['totalCost { amount }', 'metrics { metric cost { amount } } totalCost { amount }']) {
      const document = parse(`query ($organizationId: ID!) { usage(organizationId: $organizationId) { ${selection} } }`);
      for (const answer of await ask(document, { organizationId: org }, keys.admin!, RUNS)) {
        expect(answer).toMatchObject({ data: { usage: { totalCost: { amount: '0.18' } } }, errors: undefined });
      }
    }
  });
});

describe('a node whose catalogue predates a metric created on another node', () => {
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    one = await startTestServer();
    two = await startTestServer({}, one);
  });
  afterAll(async () => {
    await two.close();
    await one.close();
  });

  it('bills it on its first read, as on its next ones', async () => {
    const plan = (code: string, metric: string) => ({
      code,
      name: code,
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric, model: 'PER_UNIT' as const, unitPrice: '0.01' }],
    });
    // Node two reads its catalogue for an organisation of an earlier metric.
    const earlier = await planWithOrganization(
      one.admin,
      [{ code: 'early_calls', unit: 'call', aggregation: 'SUM' }],
      plan('early', 'early_calls'),
    );
    const total = parse('query ($o: ID!) { usage(organizationId: $o) { totalCost { amount } } }');
    expect((await ask(two, total, { o: earlier }))[0]).toEqual('0.00');
    // Node one creates a metric, a plan and an organisation, and records usage; node two reports it.
    const org = await planWithOrganization(
      one.admin,
      [{ code: 'late_calls', unit: 'call', aggregation: 'SUM' }],
      plan('late', 'late_calls'),
      CLOCK,
    );
    await record(one.admin, org, [{ id: 'late-1', metric: 'late_calls', quantity: '18', timestamp: '2026-03-10T10:00:00Z' }]);
    expect(await ask(two, total, { o: org })).toEqual(['0.18', '0.18', '0.18']);
  });

  async function ask(node: TestServer, document: DocumentNode, variables: Record<string, unknown>): Promise<string[]> {
    const text = `# ${++probeSequence}\n${print(document)}`;
    const amounts: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const res = await fetch(node.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${node.adminKey}` },
        body: JSON.stringify({ query: text, variables }),
      });
      const body = (await res.json()) as { data?: { usage?: { totalCost: { amount: string } } } };
      amounts.push(body.data?.usage?.totalCost.amount ?? JSON.stringify(body));
    }
    return amounts;
  }
});
