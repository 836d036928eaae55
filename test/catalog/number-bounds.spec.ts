import type { GraphQLFormattedError } from 'graphql';
import {
  CreateAlertRuleDocument,
  CreateMetricDocument,
  CreatePlanDocument,
  EstimateCostDocument,
  GrantCreditsDocument,
  RecordUsageDocument,
  type CreatePlanInput,
  type PlanChargeInput,
} from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import { usage } from '../helpers/usage-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

// Each class's largest value and one digit or decimal past it (see src/common/money/decimal-bounds.ts).
const MAX_QUANTITY = '999999999999999999.99999999999999999999';
const MAX_MONEY_USD = '999999999999999.99';
const MAX_PRICE = '999999999999999.999999999999';
const TINY_PRICE = '0.000000000001';
/** Values no bound holds, whose Decimal would be megabytes long or take seconds to build. */
const HOSTILE = ['1e16000000', '1e100000', '-1e-100000', `9${'0'.repeat(10_000_000)}`];

let counter = 0;
const code = (prefix: string) => `${prefix}_${++counter}_${process.pid}`;

/** A refusal with the stable code and reason, whose message quotes at most a short piece of the input. */
function expectRefused(errors: readonly GraphQLFormattedError[] | undefined, reason: string): void {
  expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
  expect(errors?.[0]?.message.length).toBeLessThan(200);
}

describe('bounded numbers', () => {
  let t: TestServer;
  let catalog: Awaited<ReturnType<typeof createCatalog>>;
  let organizationId: string;

  beforeAll(async () => {
    t = await startTestServer();
    catalog = await createCatalog(t.admin);
    organizationId = (await createTenant(t.admin, catalog.plan.code)).organization.id;
  });
  afterAll(() => t.close());

  const plan = (overrides: Partial<CreatePlanInput> = {}, charge: Partial<PlanChargeInput> = {}) =>
    t.admin.request(CreatePlanDocument, {
      input: {
        code: code('bounded'),
        name: 'Bounded',
        currency: 'USD',
        basePrice: '10',
        charges: [{ metric: catalog.metric.code, model: 'PER_UNIT', unitPrice: '0.01', ...charge } as PlanChargeInput],
        ...overrides,
      },
    });

  describe('plans', () => {
    it('accept every figure at its largest and finest', async () => {
      const res = await plan(
        { basePrice: MAX_MONEY_USD, monthlyBudget: MAX_MONEY_USD },
        { unitPrice: MAX_PRICE, included: '0.00000000000000000001', limit: MAX_QUANTITY },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.createPlan.basePrice.amount).toBe(MAX_MONEY_USD);
      expect(res.data?.createPlan.charges[0]).toMatchObject({ unitPrice: MAX_PRICE, limit: MAX_QUANTITY });
      const tiny = await plan({}, { unitPrice: TINY_PRICE });
      expect(tiny.errors).toBeUndefined();
      const tiers = await plan(
        {},
        {
          model: 'GRADUATED',
          unitPrice: null,
          tiers: [{ upTo: MAX_QUANTITY.slice(0, 18), unitPrice: MAX_PRICE, flatPrice: MAX_PRICE }, { unitPrice: TINY_PRICE }],
        },
      );
      expect(tiers.errors).toBeUndefined();
    });

    it.each([
      ['basePrice', { basePrice: '1000000000000000' }, {}],
      ['monthlyBudget', { monthlyBudget: '1e15' }, {}],
      ['unitPrice', {}, { unitPrice: '0.0000000000001' }],
      ['unitPrice', {}, { unitPrice: '1000000000000000' }],
      ['included', {}, { included: '1000000000000000000' }],
      ['limit', {}, { limit: '0.000000000000000000001' }],
      ['packageSize', {}, { model: 'PACKAGE', unitPrice: null, packageSize: '1e18', packagePrice: '1' }],
      ['packagePrice', {}, { model: 'PACKAGE', unitPrice: null, packageSize: '10', packagePrice: '1e15' }],
      ['tier upTo', {}, { model: 'VOLUME', unitPrice: null, tiers: [{ upTo: '1e18', unitPrice: '1' }, { unitPrice: '1' }] }],
      ['tier unitPrice', {}, { model: 'VOLUME', unitPrice: null, tiers: [{ unitPrice: '1e-13' }] }],
      ['tier flatPrice', {}, { model: 'VOLUME', unitPrice: null, tiers: [{ unitPrice: '1', flatPrice: '1e15' }] }],
      ['dimension unitPrice', {}, { unitPrice: null, dimensionPrices: [{ dimensions: { model: 'a' }, unitPrice: '1e15' }] }],
    ] as Array<[string, Partial<CreatePlanInput>, Partial<PlanChargeInput>]>)(
      'refuse a %s just past its bounds',
      async (field, overrides, charge) => {
        const res = await plan(overrides, charge);
        expectRefused(res.errors, 'OUT_OF_RANGE');
        expect(res.errors?.[0]?.message).toContain(field);
      },
    );

    it.each(HOSTILE.map((value) => [value.slice(0, 12), value]))('refuse %s in every decimal field', async (_, value) => {
      for (const [overrides, charge] of [
        [{ basePrice: value }, {}],
        [{ monthlyBudget: value }, {}],
        [{}, { unitPrice: value }],
        [{}, { included: value }],
        [{}, { model: 'VOLUME', unitPrice: null, tiers: [{ upTo: value, unitPrice: '1' }, { unitPrice: '1' }] }],
      ] as Array<[Partial<CreatePlanInput>, Partial<PlanChargeInput>]>)
        expectRefused((await plan(overrides, charge)).errors, 'OUT_OF_RANGE');
    });
  });

  it('metrics: eventRounding within the quantity bounds', async () => {
    const create = (eventRounding: string) =>
      t.admin.request(CreateMetricDocument, { input: { code: code('rounded'), unit: 'h', aggregation: 'SUM', eventRounding } });
    expect((await create(MAX_QUANTITY)).data?.createMetric.eventRounding).toBe(MAX_QUANTITY);
    expectRefused((await create('1000000000000000000')).errors, 'OUT_OF_RANGE');
    expectRefused((await create('1e16000000')).errors, 'OUT_OF_RANGE');
  });

  it('credits: up to 15 digits, in the currency’s minor unit', async () => {
    const grant = (amount: string) => t.admin.request(GrantCreditsDocument, { input: { organizationId, amount } });
    expect((await grant(MAX_MONEY_USD)).data?.grantCredits.amount).toBe(MAX_MONEY_USD);
    expectRefused((await grant('1000000000000000')).errors, 'OUT_OF_RANGE');
    for (const value of HOSTILE) expectRefused((await grant(value)).errors, 'OUT_OF_RANGE');
  });

  it('estimates: quantities within the quantity bounds', async () => {
    const estimate = (quantity: string) =>
      t.admin.request(EstimateCostDocument, { planCode: catalog.plan.code, usage: [{ metric: catalog.metric.code, quantity }] });
    const largest = await estimate(MAX_QUANTITY.slice(0, 18));
    expect(largest.errors).toBeUndefined();
    expect(largest.data?.estimateCost.total.amount).toBe('10000000000000008.99');
    expectRefused((await estimate('1000000000000000000')).errors, 'OUT_OF_RANGE');
    for (const value of HOSTILE) expectRefused((await estimate(value)).errors, 'OUT_OF_RANGE');
  });

  it('alert rules: absolute thresholds as quantities, percentages to 12 decimals', async () => {
    const rule = (thresholdAmount: string | null, thresholdPercent: number | null = null) =>
      t.admin.request(CreateAlertRuleDocument, { input: { organizationId, severity: 'WARNING', thresholdAmount, thresholdPercent } });
    expect((await rule(MAX_QUANTITY)).data?.createAlertRule.thresholdAmount).toBe(MAX_QUANTITY);
    expectRefused((await rule('1e18')).errors, 'OUT_OF_RANGE');
    expectRefused((await rule('1e100000')).errors, 'OUT_OF_RANGE');
    expect((await rule(null, 12.5)).data?.createAlertRule.thresholdPercent).toBe('12.5');
    expectRefused((await rule(null, 1e-300)).errors, 'OUT_OF_RANGE');
  });

  it('usage: an event past the bounds is rejected alone, the rest of its batch is counted', async () => {
    const { organization } = await createTenant(t.admin, catalog.plan.code);
    const metric = catalog.metric.code;
    const events = [
      { id: 'ok-1', metric, quantity: '100' },
      { id: 'huge-1', metric, quantity: '1e100000' },
      { id: 'huge-2', metric, quantity: '1e16000000' },
      { id: 'huge-3', metric, quantity: `9${'0'.repeat(1_000_000)}` },
      { id: 'huge-4', metric, quantity: '1000000000000000000' },
      { id: 'fine-1', metric, quantity: '0.00000000000000000000001' },
      { id: 'ok-2', metric, quantity: '999999999999999999' },
    ];
    const res = await t.admin.request(RecordUsageDocument, { input: { organizationId: organization.id, events } });
    expect(res.errors).toBeUndefined();
    const result = res.data!.recordUsage;
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.id, r.code, r.reason])).toEqual(
      ['huge-1', 'huge-2', 'huge-3', 'huge-4', 'fine-1'].map((id) => [id, 'BAD_USER_INPUT', 'INVALID_QUANTITY']),
    );
    for (const r of result.rejected) expect(r.message.length).toBeLessThan(200);
    const report = await usage(t.admin, organization.id);
    expect(report.metrics.find((m) => m.metric === metric)?.used).toBe('1000000000000000099');
    // 100 included, the rest at 0.01.
    expect(report.totalCost.amount).toBe('9999999999999999.99');
  });
});
