import { Dec } from '../../src/common/money/decimal';
import { at, metricUsage, planWithOrganization, record, usage } from '../helpers/usage-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** The examples the five demo platforms publish with their pricing, with the amounts worked out by hand. */
describe("the demo platforms' published examples, billed exactly", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('Connectors Pro: 1,000 calls and 100 MB included, then 500 calls for $5 and 50 MB for $2', async () => {
    const org = await planWithOrganization(
      t.admin,
      [
        { code: 'connector_calls', unit: 'call', aggregation: 'SUM' },
        { code: 'connector_data_mb', unit: 'MB', aggregation: 'SUM' },
      ],
      {
        code: 'connectors_pro',
        name: 'Pro',
        currency: 'USD',
        basePrice: '19',
        charges: [
          { metric: 'connector_calls', included: '1000', model: 'PACKAGE', packageSize: '500', packagePrice: '5' },
          { metric: 'connector_data_mb', included: '100', model: 'PACKAGE', packageSize: '50', packagePrice: '2' },
        ],
      },
    );
    const calls = Array.from({ length: 1600 }, (_, i) => ({
      id: `call-${i}`,
      metric: 'connector_calls',
      timestamp: at(i % 300),
      dimensions: { connector: 'notion' },
    }));
    const data = [60, 60, 60].map((mb, i) => ({ id: `mb-${i}`, metric: 'connector_data_mb', quantity: String(mb), timestamp: at(i) }));
    expect(await record(t.admin, org, [...calls, ...data])).toEqual({ accepted: 1603, duplicates: 0, rejected: [] });
    // Calls: 600 over → 2 started packages = $10. Data: 180 − 100 = 80 MB → 2 packages = $4.
    expect(await metricUsage(t.admin, org, 'connector_calls')).toMatchObject({
      used: '1600',
      included: '1000',
      cost: { amount: '10.00', currency: 'USD' },
    });
    expect(await metricUsage(t.admin, org, 'connector_data_mb')).toMatchObject({ used: '180', cost: { amount: '4.00' } });
    expect((await usage(t.admin, org)).totalCost).toEqual({ amount: '14.00', currency: 'USD' });
  });

  it('Connectors cost calculator: calls priced by connector type, data at $0.02 per MB', async () => {
    const org = await planWithOrganization(
      t.admin,
      [
        { code: 'calc_calls', unit: 'call', aggregation: 'SUM' },
        { code: 'calc_mb', unit: 'MB', aggregation: 'SUM' },
      ],
      {
        code: 'connectors_usage',
        name: 'Usage',
        currency: 'USD',
        basePrice: '0',
        charges: [
          {
            metric: 'calc_calls',
            model: 'PER_UNIT',
            dimensionPrices: [
              { dimensions: { connector: 'notion' }, unitPrice: '0.001' },
              { dimensions: { connector: 'google_workspace' }, unitPrice: '0.002' },
              { dimensions: { connector: 'database' }, unitPrice: '0.005' },
            ],
          },
          { metric: 'calc_mb', model: 'PER_UNIT', unitPrice: '0.02' },
        ],
      },
    );
    // The document's example: 2,000 Notion calls and 100 MB: $2 + $2 = $4.00.
    await record(t.admin, org, [
      { id: 'n', metric: 'calc_calls', quantity: '2000', timestamp: at(0), dimensions: { connector: 'notion' } },
      { id: 'd', metric: 'calc_mb', quantity: '100', timestamp: at(0) },
    ]);
    expect((await usage(t.admin, org)).totalCost.amount).toBe('4.00');
    // Then 300 Google Workspace calls at $0.002 and 7 database calls at $0.005: $0.60 + $0.035.
    await record(t.admin, org, [
      { id: 'g', metric: 'calc_calls', quantity: '300', timestamp: at(1), dimensions: { connector: 'google_workspace' } },
      { id: 'db', metric: 'calc_calls', quantity: '7', timestamp: at(1), dimensions: { connector: 'database' } },
    ]);
    expect(await metricUsage(t.admin, org, 'calc_calls')).toMatchObject({ used: '2307', cost: { amount: '2.64' } });
    expect(await metricUsage(t.admin, org, 'calc_calls', { dimensions: { connector: 'google_workspace' } })).toMatchObject({
      used: '300',
      cost: { amount: '0.60' },
    });
    // A connector the rate card does not price is refused, not billed at zero.
    const unpriced = await record(t.admin, org, [{ id: 'x', metric: 'calc_calls', timestamp: at(2), dimensions: { connector: 'jira' } }]);
    expect(unpriced.rejected).toEqual([expect.objectContaining({ index: 0, code: 'BAD_USER_INPUT', reason: 'UNPRICED_DIMENSIONS' })]);
  });

  it('FlowStack: a conversation is one session until 30 idle minutes pass; past the quota new sessions are refused, open ones continue', async () => {
    const org = await planWithOrganization(
      t.admin,
      [{ code: 'sessions', unit: 'session', aggregation: 'COUNT', sessionIdleMinutes: 30, sessionKey: 'conversation' }],
      {
        code: 'flowstack_tiny',
        name: 'FlowStack with 3 sessions',
        currency: 'USD',
        basePrice: '29',
        charges: [{ metric: 'sessions', included: '3', limit: '3', hardLimit: true, model: 'PER_UNIT', unitPrice: '0' }],
      },
    );
    const msg = (id: string, minute: number, conversation: string) => ({
      id,
      metric: 'sessions',
      timestamp: at(minute),
      dimensions: { conversation },
    });
    // The FAQ: "Hello" at 0, +10 and +5 minutes are session 1; 35 minutes later session 2 starts.
    await record(t.admin, org, [msg('a1', 0, 'a'), msg('a2', 10, 'a'), msg('a3', 15, 'a'), msg('a4', 50, 'a')]);
    expect((await metricUsage(t.admin, org, 'sessions')).used).toBe('2');
    // Six messages of one conversation are one session.
    await record(
      t.admin,
      org,
      [0, 1, 2, 3, 4, 5].map((m) => msg(`b${m}`, 100 + m, 'b')),
    );
    expect(await metricUsage(t.admin, org, 'sessions')).toMatchObject({
      used: '3',
      limit: '3',
      remaining: '0',
      percentage: 100,
      nearLimit: true,
      blocked: true,
    });
    // Quota reached: a new conversation is refused, the open one (b, 20 minutes idle) continues.
    const res = await record(t.admin, org, [msg('c1', 110, 'c'), msg('b9', 125, 'b')]);
    expect(res.accepted).toBe(1);
    expect(res.rejected).toEqual([expect.objectContaining({ index: 0, code: 'QUOTA_EXCEEDED', reason: 'HARD_LIMIT' })]);
    expect((await metricUsage(t.admin, org, 'sessions')).used).toBe('3');
  });

  it('hourly pay as you go: every started hour is billed: 2 min → 1 h, 59 min → 1 h, 62 min → 2 h', async () => {
    const org = await planWithOrganization(t.admin, [{ code: 'compute_hours', unit: 'hour', aggregation: 'SUM', eventRounding: '1' }], {
      code: 'hourly',
      name: 'Hourly',
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric: 'compute_hours', model: 'PER_UNIT', unitPrice: '0.10' }],
    });
    const hours = (minutes: number) => new Dec(minutes).div(60).toFixed(12);
    await record(t.admin, org, [
      { id: 'h1', metric: 'compute_hours', quantity: hours(2), timestamp: at(0) },
      { id: 'h2', metric: 'compute_hours', quantity: hours(59), timestamp: at(5) },
      { id: 'h3', metric: 'compute_hours', quantity: hours(62), timestamp: at(70) },
    ]);
    expect(await metricUsage(t.admin, org, 'compute_hours')).toMatchObject({ used: '4', cost: { amount: '0.40' } });
  });

  it('AI API platform: tokens priced per model per 1K: 1,200 GPT-4 tokens $0.036, 4,000 Claude 3 Haiku tokens $0.001', async () => {
    const org = await planWithOrganization(t.admin, [{ code: 'ai_tokens', unit: 'token', aggregation: 'SUM' }], {
      code: 'auterity',
      name: 'Auterity',
      currency: 'USD',
      basePrice: '199',
      charges: [
        {
          metric: 'ai_tokens',
          model: 'PER_UNIT',
          dimensionPrices: [
            { dimensions: { model: 'gpt-4' }, unitPrice: '0.00003' },
            { dimensions: { model: 'claude-3-haiku' }, unitPrice: '0.00000025' },
            { dimensions: { model: 'llama-2-13b' }, unitPrice: '0.00000035' },
          ],
        },
      ],
    });
    await record(t.admin, org, [
      { id: 't1', metric: 'ai_tokens', quantity: '1200', timestamp: at(0), team: 'engineering', dimensions: { model: 'gpt-4' } },
      { id: 't2', metric: 'ai_tokens', quantity: '4000', timestamp: at(1), team: 'marketing', dimensions: { model: 'claude-3-haiku' } },
      { id: 't3', metric: 'ai_tokens', quantity: '1000000', timestamp: at(2), team: 'engineering', dimensions: { model: 'llama-2-13b' } },
    ]);
    // 0.036 + 0.001 + 0.35 = 0.387 → $0.39 once rounded.
    expect(await metricUsage(t.admin, org, 'ai_tokens')).toMatchObject({ used: '1005200', cost: { amount: '0.39' } });
    expect(await metricUsage(t.admin, org, 'ai_tokens', { dimensions: { model: 'gpt-4' } })).toMatchObject({
      used: '1200',
      cost: { amount: '0.04' },
    });
    expect(await metricUsage(t.admin, org, 'ai_tokens', { team: 'marketing' })).toMatchObject({ used: '4000', cost: { amount: '0.00' } });
  });
});
