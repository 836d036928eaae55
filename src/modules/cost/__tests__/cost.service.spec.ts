import type { DataSource } from 'typeorm';
import type { Principal } from '../../../common/auth/principal';
import { Role } from '../../../common/auth/role';
import { Dec } from '../../../common/money/decimal';
import type { UsageQueryService } from '../../usage/usage-query.service';
import { CostService } from '../cost.service';

const ORG = '00000000-0000-4000-8000-000000000001';
const admin: Principal = { apiKeyId: 'k', role: Role.PLATFORM_ADMIN, organizationId: null };

/** A breakdown over grouped rows as the database returns them, in its own (unordered) order. */
const breakdown = (total: string, rows: Array<{ g0: string | null; cost: string }>) => {
  const db = { query: async () => rows } as unknown as DataSource;
  const usage = {
    reportFor: async () => ({
      periodStart: new Date('2026-03-01T00:00:00Z'),
      periodEnd: new Date('2026-04-01T00:00:00Z'),
      totalCost: { amount: total, currency: 'USD' },
    }),
  } as unknown as UsageQueryService;
  return new CostService(db, usage).breakdown(admin, ORG, null, ['team']);
};

describe('CostService.breakdown', () => {
  it('rounds rows that sum exactly to the total, and shares that sum exactly to 1, in the order returned', async () => {
    // Scaled and floored: 0.01 + 0.02 + 0.06; the missing cent goes to the largest remainder (c). Exact shares
    // 0.1, 0.2, 0.7 add up to 1 as floats only smallest first: largest first they make 0.9999999999999999.
    const result = await breakdown('0.10', [
      { g0: 'a', cost: '0.0104' },
      { g0: 'b', cost: '0.0203' },
      { g0: 'c', cost: '0.0693' },
    ]);
    expect(result.rows.map((r) => [r.group, r.cost.amount])).toEqual([
      [{ team: 'c' }, '0.07'],
      [{ team: 'b' }, '0.02'],
      [{ team: 'a' }, '0.01'],
    ]);
    expect(result.rows.reduce((sum, r) => sum.plus(r.cost.amount), new Dec(0)).toFixed(2)).toBe('0.10');
    expect(result.rows.reduce((sum, r) => sum + r.share, 0)).toBe(1);
    result.rows.forEach((r) => expect(r.share).toBeCloseTo(Number(r.cost.amount) / 0.1, 12));
  });

  it('leaves zero rows at a share of exactly 0', async () => {
    const result = await breakdown('0.10', [
      { g0: null, cost: '0' },
      { g0: 'a', cost: '0.01' },
      { g0: 'b', cost: '0.02' },
      { g0: 'c', cost: '0.07' },
    ]);
    expect(result.rows.map((r) => [r.group, r.share])).toEqual([
      [{ team: 'c' }, expect.any(Number)],
      [{ team: 'b' }, expect.any(Number)],
      [{ team: 'a' }, expect.any(Number)],
      [{ team: null }, 0],
    ]);
    expect(result.rows.reduce((sum, r) => sum + r.share, 0)).toBe(1);
  });
});
