import { Dec } from '../../src/common/money/decimal';
import { AdvanceTestClockDocument, GrantCreditsDocument, InvoicesDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, loadSeedCatalog, organizationOn, record } from '../helpers/usage-fixtures';

/** A month of each demo platform on a test clock, invoiced; every amount worked out by hand. */
describe('seed plans billed for a month', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await loadSeedCatalog(t.admin);
  });
  afterAll(() => t.close());

  /** Closes March by moving the clock to 1 April, noon, and returns March's invoice. */
  async function marchInvoice(org: string) {
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T12:00:00Z' });
    const { invoices } = await t.admin.data(InvoicesDocument, { organizationId: org });
    expect(invoices.totalCount).toBe(1);
    return invoices.edges[0]!.node;
  }
  const lines = (invoice: Awaited<ReturnType<typeof marchInvoice>>) =>
    invoice.lines.map((l) => [l.description, l.quantity, l.amount.amount]);

  it('Connectors Free: within the free allowance nothing is owed, and usage past it was refused', async () => {
    const org = await organizationOn(t.admin, 'connectors_free');
    // Free allows basic connectors only, so each call names one (a call that names none is refused, DIMENSION_NOT_ALLOWED).
    const calls = Array.from({ length: 101 }, (_, i) => ({
      id: `c${i}`,
      metric: 'connector_calls',
      dimensions: { connector: 'notion' },
      timestamp: at(i),
    }));
    const res = await record(t.admin, org, [...calls, { id: 'mb', metric: 'connector_data_mb', quantity: '8', timestamp: at(0) }]);
    expect(res.rejected).toEqual([expect.objectContaining({ index: 100, code: 'QUOTA_EXCEEDED' })]);
    const invoice = await marchInvoice(org);
    expect(invoice).toMatchObject({ status: 'PAID', subtotal: { amount: '0.00', currency: 'USD' }, amountDue: { amount: '0.00' } });
    expect(lines(invoice)).toEqual([
      ['Connector calls (100 call included)', '100', '0.00'],
      ['Connector data processed (10 MB included)', '8', '0.00'],
    ]);
  });

  it('Connectors Pro: $19 plus 2 blocks of 500 calls ($10) and 2 blocks of 50 MB ($4)', async () => {
    const org = await organizationOn(t.admin, 'connectors_pro');
    const calls = Array.from({ length: 1600 }, (_, i) => ({ id: `c${i}`, metric: 'connector_calls', timestamp: at(i % 300) }));
    await record(t.admin, org, [
      ...calls,
      ...[60, 60, 60].map((mb, i) => ({ id: `mb${i}`, metric: 'connector_data_mb', quantity: String(mb), timestamp: at(i) })),
    ]);
    const invoice = await marchInvoice(org);
    expect(lines(invoice)).toEqual([
      ['Connectors Pro plan', '1', '19.00'],
      ['Connector calls (5 per 500 call, 1000 call included)', '1600', '10.00'],
      ['Connector data processed (2 per 50 MB, 100 MB included)', '180', '4.00'],
    ]);
    expect(invoice).toMatchObject({
      status: 'OPEN',
      subtotal: { amount: '33.00' },
      total: { amount: '33.00' },
      amountDue: { amount: '33.00' },
    });
    expect(invoice.number).toMatch(/^[0-9A-F]{8}-0001$/);
    expect(invoice.dueDate).toBe('2026-04-01T00:00:00.000Z');
  });

  it('FlowStack Starter: $29 for 1,000 sessions; the 1,001st conversation was refused, so nothing more is owed', async () => {
    const org = await organizationOn(t.admin, 'flowstack_starter');
    const messages = Array.from({ length: 1001 }, (_, i) => ({
      id: `m${i}`,
      metric: 'sessions',
      timestamp: at(i % 300),
      dimensions: { conversation: `conv-${i}` },
    }));
    const res = await record(t.admin, org, messages);
    expect(res.accepted).toBe(1000);
    expect(res.rejected).toEqual([expect.objectContaining({ index: 1000, code: 'QUOTA_EXCEEDED', reason: 'HARD_LIMIT' })]);
    const invoice = await marchInvoice(org);
    expect(lines(invoice)).toEqual([
      ['FlowStack Starter plan', '1', '29.00'],
      ['Agent sessions (1000 session included)', '1000', '0.00'],
    ]);
    expect(invoice.total.amount).toBe('29.00');
  });

  it('hourly pay as you go: started hours rounded up, credits applied first, the rest charged', async () => {
    const org = await organizationOn(t.admin, 'hourly_payg');
    const hours = (minutes: number) => new Dec(minutes).div(60).toFixed(12);
    await record(t.admin, org, [
      { id: 'h1', metric: 'compute_hours', quantity: hours(2), timestamp: at(0) },
      { id: 'h2', metric: 'compute_hours', quantity: hours(59), timestamp: at(10) },
      { id: 'h3', metric: 'compute_hours', quantity: hours(62), timestamp: at(100) },
    ]);
    await t.admin.data(GrantCreditsDocument, { input: { organizationId: org, amount: '0.25', reason: 'welcome credit' } });
    const invoice = await marchInvoice(org);
    // 4 hours at $0.10 = $0.40; $0.25 of credit first; $0.15 charged.
    expect(lines(invoice)).toEqual([['Compute hours', '4', '0.40']]);
    expect(invoice).toMatchObject({
      subtotal: { amount: '0.40' },
      creditsApplied: { amount: '0.25' },
      total: { amount: '0.15' },
      amountDue: { amount: '0.15' },
    });
  });

  it('analytics Starter: $99 and the overage of tokens, queries, peak storage and users', async () => {
    const org = await organizationOn(t.admin, 'analytics_starter');
    await record(t.admin, org, [
      { id: 't1', metric: 'llm_tokens', quantity: '350000', timestamp: at(0) },
      { id: 't2', metric: 'llm_tokens', quantity: '250000', timestamp: at(1) },
      { id: 'q1', metric: 'sql_queries', quantity: '10500', timestamp: at(2) },
      { id: 's1', metric: 'storage_gb', quantity: '9', timestamp: at(3) },
      { id: 's2', metric: 'storage_gb', quantity: '40', timestamp: at(4) },
      { id: 's3', metric: 'storage_gb', quantity: '35', timestamp: at(5) },
      ...['ann', 'ben', 'cat', 'dan', 'eve', 'fay', 'ann'].map((user, i) => ({
        id: `u${i}`,
        metric: 'active_users',
        user,
        timestamp: at(6 + i),
      })),
    ]);
    const invoice = await marchInvoice(org);
    // 100,000 tokens × $0.00002 = $2.00; 500 queries × $0.005 = $2.50; 6 users: 1 × $20. Storage, the daily peak
    // averaged over March: 40 GB on the 10th, then the last reading (35 GB) held for the 21 days left, nothing before:
    // (40 + 21 × 35) / 31 = 25 GB, 15 past the 10 included × $0.10 = $1.50.
    expect(lines(invoice)).toEqual(
      [
        ['Starter plan', '1', '99.00'],
        ['Active users (5 user included)', '6', '20.00'],
        ['API requests', '0', '0.00'],
        ['Compute hours', '0', '0.00'],
        ['LLM tokens (500000 token included)', '600000', '2.00'],
        ['SQL queries (10000 query included)', '10500', '2.50'],
        ['Data storage (daily peak) (10 GB included)', '25', '1.50'],
      ].filter(([, quantity]) => quantity !== '0'),
    );
    expect(invoice.subtotal.amount).toBe('125.00');
  });

  it('analytics Professional: within every limit only the $499 fee is owed', async () => {
    const org = await organizationOn(t.admin, 'analytics_professional');
    await record(t.admin, org, [
      { id: 't1', metric: 'llm_tokens', quantity: '4999999', timestamp: at(0) },
      { id: 's1', metric: 'storage_gb', quantity: '100', timestamp: at(1) },
    ]);
    const invoice = await marchInvoice(org);
    expect(invoice.lines.map((l) => l.amount.amount)).toEqual(['499.00', '0.00', '0.00']);
    expect(invoice.total.amount).toBe('499.00');
  });

  it('AI API platform Professional: $199 and tokens priced per model, one line per model', async () => {
    const org = await organizationOn(t.admin, 'auterity_professional');
    await record(t.admin, org, [
      { id: 'a', metric: 'ai_tokens', quantity: '1200', timestamp: at(0), dimensions: { model: 'gpt-4' } },
      { id: 'b', metric: 'ai_tokens', quantity: '4000', timestamp: at(1), dimensions: { model: 'claude-3-haiku' } },
      { id: 'c', metric: 'ai_tokens', quantity: '100000', timestamp: at(2), dimensions: { model: 'gpt-4' } },
      { id: 'd', metric: 'ai_inference_requests', timestamp: at(0), dimensions: { model: 'gpt-4' } },
      { id: 'e', metric: 'ai_inference_requests', timestamp: at(1), dimensions: { model: 'claude-3-haiku' } },
    ]);
    const invoice = await marchInvoice(org);
    // gpt-4: 101,200 × $0.00003 = $3.036; haiku: 4,000 × $0.00000025 = $0.001; requests $0.002 and $0.0005.
    expect(lines(invoice)).toEqual([
      ['Professional plan', '1', '199.00'],
      ['AI inference requests (model claude-3-haiku)', '1', '0.00'],
      ['AI inference requests (model gpt-4)', '1', '0.00'],
      ['AI tokens (model claude-3-haiku)', '4000', '0.00'],
      ['AI tokens (model gpt-4)', '101200', '3.04'],
    ]);
    expect(invoice.subtotal.amount).toBe('202.04');
  });
});
