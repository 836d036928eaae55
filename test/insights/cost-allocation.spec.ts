import { Dec } from '../../src/common/money/decimal';
import { AdvanceTestClockDocument, CostBreakdownDocument, CostSeriesDocument, InvoicesDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, planWithOrganization, record, usage } from '../helpers/usage-fixtures';

describe('cost allocation', () => {
  let t: TestServer;
  let org: string;
  const breakdown = async (groupBy: string[]) =>
    (await t.admin.data(CostBreakdownDocument, { organizationId: org, groupBy })).costBreakdown;
  const sum = (rows: Array<{ cost: { amount: string } }>) => rows.reduce((s, r) => s.plus(r.cost.amount), new Dec(0)).toFixed(2);

  beforeAll(async () => {
    t = await startTestServer();
    org = await planWithOrganization(
      t.admin,
      [
        { code: 'tokens', unit: 'token', aggregation: 'SUM' },
        { code: 'calls', unit: 'call', aggregation: 'SUM' },
      ],
      {
        code: 'ai',
        name: 'AI',
        currency: 'USD',
        basePrice: '10',
        charges: [
          {
            metric: 'tokens',
            model: 'PER_UNIT',
            dimensionPrices: [
              { dimensions: { model: 'big' }, unitPrice: '0.0003' },
              { dimensions: { model: 'small' }, unitPrice: '0.00007' },
            ],
          },
          { metric: 'calls', model: 'PER_UNIT', unitPrice: '0.001' },
        ],
      },
    );
    // Thirds of a cent everywhere, so that rounding leaves residues to allocate.
    await record(t.admin, org, [
      {
        id: '1',
        metric: 'tokens',
        quantity: '1111',
        team: 'engineering',
        project: 'alpha',
        dimensions: { model: 'big' },
        timestamp: at(0),
      },
      {
        id: '2',
        metric: 'tokens',
        quantity: '2222',
        team: 'engineering',
        project: 'beta',
        dimensions: { model: 'small' },
        timestamp: at(1),
      },
      { id: '3', metric: 'tokens', quantity: '3333', team: 'marketing', project: 'alpha', dimensions: { model: 'big' }, timestamp: at(2) },
      { id: '4', metric: 'tokens', quantity: '555', dimensions: { model: 'small' }, timestamp: at(3) },
      { id: '5', metric: 'calls', quantity: '777', team: 'marketing', timestamp: at(4) },
      { id: '6', metric: 'calls', quantity: '333', timestamp: at(-1000) },
    ]);
    await t.db.query(`UPDATE teams SET department = 'rd' WHERE organization_id = $1 AND key = 'engineering'`, [org]);
    await t.db.query(`UPDATE teams SET department = 'operations' WHERE organization_id = $1 AND key = 'marketing'`, [org]);
  });
  afterAll(() => t.close());

  it('splits cost by team, with unallocated usage as its own row, summing exactly to usage.totalCost', async () => {
    // Lines: tokens big 4444 × 0.0003 = 1.3332 → 1.33; small 2777 × 0.00007 = 0.19439 → 0.19; calls 1110 × 0.001 = 1.11.
    const report = await usage(t.admin, org);
    expect(report.totalCost.amount).toBe('2.63');
    const result = await breakdown(['team']);
    expect(result.total).toEqual({ amount: '2.63', currency: 'USD' });
    // Unrounded: marketing 1.7769, engineering 0.48884, none 0.37185. Scaled to 2.63 and floored: 1.77 + 0.48 + 0.37;
    // the missing cent goes to the largest remainder (engineering).
    expect(result.rows.map((r) => [r.group, r.cost.amount, r.unallocated])).toEqual([
      [{ team: 'marketing' }, '1.77', false],
      [{ team: 'engineering' }, '0.49', false],
      [{ team: null }, '0.37', true],
    ]);
    expect(sum(result.rows)).toBe('2.63');
    // Exactly, added up in the order returned.
    expect(result.rows.reduce((s, r) => s + r.share, 0)).toBe(1);
  });

  it('nests groupings (team × model) and rolls teams up to departments', async () => {
    const nested = await breakdown(['team', 'model']);
    expect(nested.rows).toHaveLength(6);
    expect(sum(nested.rows)).toBe('2.63');
    expect(nested.rows.find((r) => JSON.stringify(r.group) === JSON.stringify({ team: 'engineering', model: 'small' }))?.cost.amount).toBe(
      '0.16',
    );
    const departments = await breakdown(['department']);
    expect(departments.rows.map((r) => [r.group, r.cost.amount])).toEqual([
      [{ department: 'operations' }, '1.77'],
      [{ department: 'rd' }, '0.49'],
      [{ department: null }, '0.37'],
    ]);
    const byMetric = await breakdown(['metric', 'project']);
    expect(sum(byMetric.rows)).toBe('2.63');
  });

  it('gives each group typed as well (groupKey): named keys as fields, dimensions in groupBy order', async () => {
    const none = { team: null, project: null, user: null, metric: null, department: null, dimensions: [] };
    const nested = await breakdown(['model', 'team']);
    expect(nested.rows.map((r) => r.groupKey)).toEqual(
      nested.rows.map((r) => {
        const { team, model } = r.group as { team: string | null; model: string | null };
        return { ...none, team, dimensions: [{ key: 'model', value: model }] };
      }),
    );
    expect(nested.rows.map((r) => r.groupKey)).toContainEqual({
      ...none,
      team: 'engineering',
      dimensions: [{ key: 'model', value: 'small' }],
    });
    const departments = await breakdown(['department', 'metric']);
    expect(departments.rows.map((r) => r.groupKey)).toContainEqual({ ...none, department: 'operations', metric: 'calls' });
    const { costSeries } = await t.admin.data(CostSeriesDocument, { organizationId: org, groupBy: ['user', 'project'] });
    expect(costSeries.map((s) => s.groupKey)).toContainEqual({ ...none, project: 'alpha' });
  });

  it('draws daily cost per group', async () => {
    const { costSeries } = await t.admin.data(CostSeriesDocument, { organizationId: org, groupBy: ['team'] });
    const marketing = costSeries.find((s) => s.group && (s.group as { team: string | null }).team === 'marketing');
    expect(marketing?.points).toEqual([{ at: '2026-03-10T00:00:00.000Z', cost: '1.7769' }]);
    const none = costSeries.find((s) => (s.group as { team: string | null }).team === null);
    expect(none?.points).toEqual([
      { at: '2026-03-09T00:00:00.000Z', cost: '0.333' },
      { at: '2026-03-10T00:00:00.000Z', cost: '0.03885' },
    ]);
  });

  it('refuses bad groupings', async () => {
    for (const groupBy of [[], ['team', 'team'], ['a', 'b', 'c', 'd', 'e', 'f'], ['bad key!']]) {
      expect(await t.admin.errorCode(CostBreakdownDocument, { organizationId: org, groupBy })).toBe('BAD_USER_INPUT');
    }
  });

  it('matches the usage lines of the invoice once the period is closed', async () => {
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T12:00:00Z' });
    const [invoice] = (await t.admin.data(InvoicesDocument, { organizationId: org })).invoices.edges.map((e) => e.node);
    const usageLines = invoice!.lines.filter((l) => l.metric !== null);
    const march = (
      await t.admin.data(CostBreakdownDocument, {
        organizationId: org,
        groupBy: ['model'],
        period: { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
      })
    ).costBreakdown;
    expect(sum(usageLines.map((l) => ({ cost: l.amount })))).toBe(march.total.amount);
    expect(march.total.amount).toBe('2.63');
  });
});
