import pino from 'pino';
import { DemoSeedService } from '../../src/modules/demo/demo-seed.service';
import { DEMO_ORGANIZATION, SEED_METRICS, SEED_PLANS } from '../../src/modules/demo/seed-catalog';
import {
  CreateMetricDocument,
  CreatePlanDocument,
  MetricsDocument,
  OrganizationDocument,
  PlansDocument,
  type CreatePlanInput,
} from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('metric and plan catalog', () => {
  let t: TestServer;
  const rows = async (table: string) => Number((await t.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('recreates every tier of every demo platform through the API, exactly as published', async () => {
    for (const input of SEED_METRICS) await t.admin.data(CreateMetricDocument, { input });
    for (const input of SEED_PLANS) await t.admin.data(CreatePlanDocument, { input: input as CreatePlanInput });
    const { plans } = await t.admin.data(PlansDocument);
    expect(plans.map((p) => p.code).sort()).toEqual(SEED_PLANS.map((p) => p.code).sort());

    const byCode = new Map(plans.map((p) => [p.code, p]));
    // Connectors Pro is $19 with 1,000 calls included, then 500 calls for $5 and 50 MB for $2.
    expect(byCode.get('connectors_pro')).toMatchObject({
      basePrice: { amount: '19.00', currency: 'USD' },
      charges: expect.arrayContaining([
        expect.objectContaining({ metric: 'connector_calls', included: '1000', model: 'PACKAGE', packageSize: '500', packagePrice: '5' }),
        expect.objectContaining({ metric: 'connector_data_mb', included: '100', model: 'PACKAGE', packageSize: '50', packagePrice: '2' }),
      ]),
    });
    // The AI API platform: GPT-4 at $0.03 per 1K tokens is 0.00003 per token; Community budget $5, 10 requests/min, auto-pause.
    const community = byCode.get('auterity_community');
    expect(community).toMatchObject({ monthlyBudget: '5', autoPauseAtBudget: true, requestsPerMinute: 10 });
    const tokens = community?.charges.find((c) => c.metric === 'ai_tokens');
    expect(tokens?.dimensionPrices).toEqual(
      expect.arrayContaining([
        { dimensions: { model: 'gpt-4' }, unitPrice: '0.00003' },
        { dimensions: { model: 'claude-3-haiku' }, unitPrice: '0.00000025' },
      ]),
    );
    // FlowStack Free blocks after 25 sessions; analytics Enterprise is net-30.
    expect(byCode.get('flowstack_free')?.charges.find((c) => c.metric === 'sessions')).toMatchObject({
      metric: 'sessions',
      limit: '25',
      hardLimit: true,
    });
    expect(byCode.get('analytics_enterprise')?.paymentTermsDays).toBe(30);

    const { metrics } = await t.admin.data(MetricsDocument);
    expect(metrics.find((m) => m.code === 'storage_gb')?.aggregation).toBe('DAILY_PEAK_AVERAGE');
  });

  it('loads the same catalog and a demo organisation with teams and projects into an empty database', async () => {
    // Empty the catalog and tenants; platform admin keys belong to no organisation and stay.
    for (const table of ['plan_subscriptions', 'organizations', 'plan_charges', 'plans', 'metrics'])
      await t.db.query(`DELETE FROM ${table}`);
    const loaded = await new DemoSeedService(t.db, t.server.services, pino({ level: 'silent' })).loadIfEmpty();
    expect(loaded).not.toBeNull();
    expect(await rows('plans')).toBe(SEED_PLANS.length);
    const { organization } = await t.admin.data(OrganizationDocument, { id: loaded!.organizationId });
    expect(organization?.plan?.code).toBe(DEMO_ORGANIZATION.planCode);
    expect(organization?.teams).toEqual(expect.arrayContaining([{ key: 'engineering', department: 'rd' }]));
    expect(organization?.projects.map((p) => p.key)).toEqual(['project_a', 'project_b']);
    // A second start finds data and loads nothing.
    expect(await new DemoSeedService(t.db, t.server.services, pino({ level: 'silent' })).loadIfEmpty()).toBeNull();
  });

  describe('createMetric', () => {
    it('stores rounding and sessionisation settings', async () => {
      const { createMetric } = await t.admin.data(CreateMetricDocument, {
        input: { code: 'chat_sessions', unit: 'session', aggregation: 'COUNT', sessionIdleMinutes: 30, sessionKey: 'conversation' },
      });
      expect(createMetric).toMatchObject({
        code: 'chat_sessions',
        name: 'chat_sessions',
        sessionIdleMinutes: 30,
        sessionKey: 'conversation',
        eventRounding: null,
      });
    });

    it.each([
      ['a code with capitals', { code: 'Bad', unit: 'x', aggregation: 'SUM' as const }],
      ['an empty unit', { code: 'empty_unit', unit: ' ', aggregation: 'SUM' as const }],
      ['UNIQUE_COUNT without uniqueBy', { code: 'uniq', unit: 'user', aggregation: 'UNIQUE_COUNT' as const }],
      ['uniqueBy on SUM', { code: 'sum_uniq', unit: 'x', aggregation: 'SUM' as const, uniqueBy: 'user' }],
      ['a zero rounding', { code: 'rounded', unit: 'hour', aggregation: 'SUM' as const, eventRounding: '0' }],
      ['rounding a COUNT', { code: 'rounded_count', unit: 'x', aggregation: 'COUNT' as const, eventRounding: '1' }],
      ['sessions on SUM', { code: 'sess_sum', unit: 'x', aggregation: 'SUM' as const, sessionIdleMinutes: 30, sessionKey: 'user' }],
      ['sessions without a key', { code: 'sess_nokey', unit: 'x', aggregation: 'COUNT' as const, sessionIdleMinutes: 30 }],
      ['a duplicate code', { code: 'chat_sessions', unit: 'x', aggregation: 'SUM' as const }],
    ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_label, input) => {
      const before = await rows('metrics');
      expect(await t.admin.errorCode(CreateMetricDocument, { input })).toBe('BAD_USER_INPUT');
      expect(await rows('metrics')).toBe(before);
    });

    it('refuses a decimal that is not a number', async () => {
      const res = await t.admin.request(CreateMetricDocument, {
        input: { code: 'nan', unit: 'x', aggregation: 'SUM', eventRounding: 'abc' },
      });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('createPlan', () => {
    const base = (charges: CreatePlanInput['charges'], extra: Partial<CreatePlanInput> = {}): CreatePlanInput => ({
      code: `p_${Math.random().toString(36).slice(2, 10)}`,
      name: 'Plan',
      currency: 'USD',
      basePrice: '5',
      charges,
      ...extra,
    });

    it('keeps graduated tiers, volume tiers and JPY without minor units', async () => {
      const { createPlan } = await t.admin.data(CreatePlanDocument, {
        input: base(
          [
            {
              metric: 'llm_tokens',
              model: 'GRADUATED',
              tiers: [{ upTo: '1000', unitPrice: '0.01' }, { upTo: '5000', unitPrice: '0.008', flatPrice: '1' }, { unitPrice: '0.005' }],
            },
          ],
          { currency: 'JPY', basePrice: '1500', paymentTermsDays: 30 },
        ),
      });
      expect(createPlan.basePrice).toEqual({ amount: '1500', currency: 'JPY' });
      expect(createPlan.charges[0]?.tiers).toEqual([
        { upTo: '1000', unitPrice: '0.01', flatPrice: null },
        { upTo: '5000', unitPrice: '0.008', flatPrice: '1' },
        { upTo: null, unitPrice: '0.005', flatPrice: null },
      ]);
    });

    it.each<[string, CreatePlanInput['charges'], Partial<CreatePlanInput>]>([
      ['an unknown metric', [{ metric: 'nope', model: 'PER_UNIT', unitPrice: '1' }], {}],
      [
        'a metric charged twice',
        [
          { metric: 'llm_tokens', model: 'PER_UNIT', unitPrice: '1' },
          { metric: 'llm_tokens', model: 'PER_UNIT', unitPrice: '2' },
        ],
        {},
      ],
      ['PER_UNIT without a price', [{ metric: 'llm_tokens', model: 'PER_UNIT' }], {}],
      ['PACKAGE without a size', [{ metric: 'llm_tokens', model: 'PACKAGE', packagePrice: '5' }], {}],
      ['PACKAGE of size 0', [{ metric: 'llm_tokens', model: 'PACKAGE', packageSize: '0', packagePrice: '5' }], {}],
      [
        'tiers that do not increase',
        [
          {
            metric: 'llm_tokens',
            model: 'VOLUME',
            tiers: [{ upTo: '10', unitPrice: '1' }, { upTo: '5', unitPrice: '1' }, { unitPrice: '1' }],
          },
        ],
        {},
      ],
      ['a last tier with a bound', [{ metric: 'llm_tokens', model: 'GRADUATED', tiers: [{ upTo: '10', unitPrice: '1' }] }], {}],
      ['tiers on PER_UNIT', [{ metric: 'llm_tokens', model: 'PER_UNIT', unitPrice: '1', tiers: [{ unitPrice: '1' }] }], {}],
      ['a negative price', [{ metric: 'llm_tokens', model: 'PER_UNIT', unitPrice: '-1' }], {}],
      ['a hard limit without a limit', [{ metric: 'llm_tokens', model: 'PER_UNIT', unitPrice: '1', hardLimit: true }], {}],
      [
        'a limit below the included quantity',
        [{ metric: 'llm_tokens', model: 'PER_UNIT', unitPrice: '1', included: '10', limit: '5' }],
        {},
      ],
      [
        'dimension prices that are not an object',
        [{ metric: 'llm_tokens', model: 'PER_UNIT', dimensionPrices: [{ dimensions: ['gpt-4'], unitPrice: '1' }] }],
        {},
      ],
      [
        'a dimension priced twice',
        [
          {
            metric: 'llm_tokens',
            model: 'PER_UNIT',
            dimensionPrices: [
              { dimensions: { model: 'a' }, unitPrice: '1' },
              { dimensions: { model: 'a' }, unitPrice: '2' },
            ],
          },
        ],
        {},
      ],
      ['cents on a JPY price', [], { currency: 'JPY', basePrice: '10.5' }],
      ['an unknown currency', [], { currency: 'XXY' }],
      ['auto-pause without a budget', [], { autoPauseAtBudget: true }],
      ['zero requests per minute', [], { requestsPerMinute: 0 }],
      ['a duplicate code', [], { code: 'connectors_pro' }],
    ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_label, charges, extra) => {
      const before = [await rows('plans'), await rows('plan_charges')];
      expect(await t.admin.errorCode(CreatePlanDocument, { input: base(charges, extra) })).toBe('BAD_USER_INPUT');
      expect([await rows('plans'), await rows('plan_charges')]).toEqual(before);
    });
  });
});
