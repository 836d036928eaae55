import { PlanService } from '../plan.service';
import { PriceModel } from '../price-model';

describe('PlanService.validate', () => {
  const metrics = new Map([['calls', 'metric-1']]);

  it("normalises amounts, sorts rate-card dimensions and keeps only the model's fields", () => {
    const { plan, charges } = PlanService.validate(
      {
        code: 'pro',
        name: ' Pro ',
        currency: 'USD',
        basePrice: '19.00',
        charges: [
          {
            metric: 'calls',
            model: PriceModel.PER_UNIT,
            unitPrice: '0.0010',
            dimensionPrices: [{ dimensions: { z: 'a', connector: 'notion' }, unitPrice: '0.001' }],
          },
        ],
      },
      metrics,
    );
    expect(plan).toMatchObject({ code: 'pro', name: 'Pro', basePriceAmount: '19', paymentTermsDays: 0, autoPauseAtBudget: false });
    expect(charges).toEqual([
      {
        metricId: 'metric-1',
        included: null,
        limit: null,
        hardLimit: false,
        unlimited: false,
        model: PriceModel.PER_UNIT,
        unitPrice: '0.001',
        packageSize: null,
        packagePrice: null,
        tiers: null,
        dimensionPrices: [{ dimensions: { connector: 'notion', z: 'a' }, unitPrice: '0.001' }],
      },
    ]);
    expect(Object.keys(charges[0]!.dimensionPrices![0]!.dimensions)).toEqual(['connector', 'z']);
  });

  it('refuses package fields on a per-unit charge', () => {
    expect(() =>
      PlanService.validate(
        {
          code: 'x',
          name: 'x',
          currency: 'USD',
          basePrice: '0',
          charges: [{ metric: 'calls', model: PriceModel.PER_UNIT, unitPrice: '1', packageSize: '5' }],
        },
        metrics,
      ),
    ).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'INVALID_CHARGE' }));
  });

  describe('features', () => {
    const base = {
      code: 'pro',
      name: 'Pro',
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric: 'calls', model: PriceModel.PER_UNIT, unitPrice: '1' }],
    };

    it('are enabled by default and keep their static values', () => {
      const { features } = PlanService.validate(
        {
          ...base,
          features: [
            { feature: 'concurrent_requests', config: { limit: 20 } },
            { feature: 'sso', enabled: false },
          ],
        },
        metrics,
      );
      expect(features).toEqual([
        { feature: 'concurrent_requests', enabled: true, config: { limit: 20 } },
        { feature: 'sso', enabled: false, config: null },
      ]);
    });

    it.each([
      [[{ feature: 'Has Spaces' }], 'INVALID_FEATURE'],
      [[{ feature: 'calls' }], 'INVALID_FEATURE'],
      [[{ feature: 'sso', config: [1, 2] }], 'INVALID_FEATURE'],
      [[{ feature: 'sso', config: { blob: 'x'.repeat(5000) } }], 'INVALID_FEATURE'],
      [[{ feature: 'sso' }, { feature: 'sso' }], 'DUPLICATE_FEATURE'],
    ])('refuses %j (%s)', (features, reason) => {
      expect(() => PlanService.validate({ ...base, features }, metrics)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', reason }),
      );
    });
  });
});
