import {
  CreateOrganizationDocument,
  OrganizationDocument,
  RecordUsageDocument,
  UsageDocument,
  UsageSeriesDocument,
  type CreatePlanInput,
  type TierInput,
} from '../generated/graphql';
import { at, CLOCK, metricUsage, organizationOn, planWithOrganization, record, usage } from '../helpers/usage-fixtures';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Cell {
  metric: string;
  team: string;
  hour: string;
  dimensions: object;
  quantity: string;
  events: number;
  latestAt: string;
}

describe('usage metering', () => {
  let t: TestServer;
  let org: string;
  const count = async (table: string) => Number((await t.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    t = await startTestServer();
    org = await planWithOrganization(
      t.admin,
      [
        { code: 'api_calls', unit: 'call', aggregation: 'SUM' },
        { code: 'requests', unit: 'request', aggregation: 'COUNT' },
        { code: 'storage_gb', unit: 'GB', aggregation: 'MAX' },
        { code: 'seats', unit: 'seat', aggregation: 'LATEST' },
        { code: 'active_users', unit: 'user', aggregation: 'UNIQUE_COUNT', uniqueBy: 'user' },
      ],
      {
        code: 'metered',
        name: 'Metered',
        currency: 'USD',
        basePrice: '49',
        charges: [
          { metric: 'api_calls', included: '100', limit: '1000', model: 'PER_UNIT', unitPrice: '0.01' },
          { metric: 'storage_gb', included: '10', limit: '100', hardLimit: true, model: 'PER_UNIT', unitPrice: '0.5' },
          { metric: 'active_users', limit: '3', hardLimit: true, model: 'PER_UNIT', unitPrice: '20' },
          // Usage of a metric the plan does not charge is refused (NOT_IN_PLAN), so these are charged, at no cost.
          { metric: 'requests', model: 'PER_UNIT', unitPrice: '0' },
          { metric: 'seats', model: 'PER_UNIT', unitPrice: '0' },
        ],
      },
    );
  });
  afterAll(() => t.close());

  describe('aggregations', () => {
    it('sums, counts, keeps the peak, the latest and the distinct values', async () => {
      const res = await record(t.admin, org, [
        {
          id: 'c1',
          metric: 'api_calls',
          quantity: '40.5',
          timestamp: at(0),
          team: 'engineering',
          project: 'project_a',
          user: 'alice',
          dimensions: { endpoint: '/v1/infer' },
        },
        { id: 'c2', metric: 'api_calls', quantity: '60', timestamp: at(61), team: 'marketing', user: 'bob' },
        {
          id: 'c3',
          metric: 'api_calls',
          quantity: '19.5',
          timestamp: at(62),
          team: 'engineering',
          project: 'project_b',
          dimensions: { endpoint: '/v1/embed' },
        },
        { id: 'r1', metric: 'requests', quantity: '7', timestamp: at(0) },
        { id: 'r2', metric: 'requests', timestamp: at(1) },
        { id: 's1', metric: 'storage_gb', quantity: '12', timestamp: at(0), team: 'engineering' },
        { id: 's2', metric: 'storage_gb', quantity: '30', timestamp: at(1), team: 'marketing' },
        { id: 's3', metric: 'storage_gb', quantity: '25', timestamp: at(2), team: 'engineering' },
        { id: 'l1', metric: 'seats', quantity: '5', timestamp: at(10) },
        { id: 'l2', metric: 'seats', quantity: '8', timestamp: at(30) },
        { id: 'l3', metric: 'seats', quantity: '6', timestamp: at(20) },
        { id: 'u1', metric: 'active_users', timestamp: at(0), user: 'alice' },
        { id: 'u2', metric: 'active_users', timestamp: at(1), user: 'bob' },
        { id: 'u3', metric: 'active_users', timestamp: at(2), user: 'alice' },
      ]);
      expect(res).toEqual({ accepted: 14, duplicates: 0, rejected: [] });
      const report = await usage(t.admin, org);
      const line = (code: string) => report.metrics.find((m) => m.metric === code);
      // 120 calls: 20 over the 100 included at $0.01 = $0.20.
      expect(line('api_calls')).toMatchObject({
        used: '120',
        included: '100',
        limit: '1000',
        remaining: '880',
        percentage: 12,
        cost: { amount: '0.20' },
        nearLimit: false,
        blocked: false,
      });
      expect(line('requests')).toMatchObject({ used: '2', limit: null, percentage: null, cost: { amount: '0.00' } });
      // Peak 30 GB: 20 over 10 included at $0.50 = $10.
      expect(line('storage_gb')).toMatchObject({ used: '30', cost: { amount: '10.00' } });
      expect(line('seats')).toMatchObject({ used: '8' });
      expect(line('active_users')).toMatchObject({ used: '2', cost: { amount: '40.00' } });
      expect(report.totalCost).toEqual({ amount: '50.20', currency: 'USD' });
      expect(report.periodStart).toBe('2026-03-01T00:00:00.000Z');
      expect(report.periodEnd).toBe('2026-04-01T00:00:00.000Z');
    });

    it('filters by team, project, user, dimensions and metric, from the rollups', async () => {
      expect((await metricUsage(t.admin, org, 'api_calls', { team: 'engineering' })).used).toBe('60');
      expect((await metricUsage(t.admin, org, 'api_calls', { project: 'project_b' })).used).toBe('19.5');
      expect((await metricUsage(t.admin, org, 'api_calls', { user: 'bob' })).used).toBe('60');
      expect((await metricUsage(t.admin, org, 'api_calls', { dimensions: { endpoint: '/v1/infer' } })).used).toBe('40.5');
      expect((await metricUsage(t.admin, org, 'storage_gb', { team: 'engineering' })).used).toBe('25');
      const onlyCalls = await usage(t.admin, org, { metric: 'api_calls' });
      expect(onlyCalls.metrics.map((m) => m.metric)).toEqual(['api_calls']);
    });

    it('reads any whole-hour period', async () => {
      const period = { from: '2026-03-10T07:00:00Z', to: '2026-03-10T08:00:00Z' };
      expect((await usage(t.admin, org, { metric: 'api_calls' }, period)).metrics[0]?.used).toBe('79.5');
      expect(
        await t.admin.errorCode(UsageDocument, {
          organizationId: org,
          period: { from: '2026-03-10T07:30:00Z', to: '2026-03-10T08:00:00Z' },
        }),
      ).toBe('BAD_USER_INPUT');
      expect(
        await t.admin.errorCode(UsageDocument, {
          organizationId: org,
          period: { from: '2026-03-11T00:00:00Z', to: '2026-03-10T00:00:00Z' },
        }),
      ).toBe('BAD_USER_INPUT');
    });

    it('draws time series by minute, hour and day', async () => {
      const series = async (granularity: 'MINUTE' | 'HOUR' | 'DAY', period?: { from: string; to: string }) =>
        (await t.admin.data(UsageSeriesDocument, { organizationId: org, metric: 'api_calls', granularity, period })).usageSeries;
      expect((await series('HOUR')).points).toEqual([
        { at: '2026-03-10T06:00:00.000Z', quantity: '40.5', cost: '0' },
        { at: '2026-03-10T07:00:00.000Z', quantity: '79.5', cost: '0.2' },
      ]);
      expect((await series('DAY')).points).toEqual([{ at: '2026-03-10T00:00:00.000Z', quantity: '120', cost: '0.2' }]);
      const minutes = await series('MINUTE', { from: '2026-03-10T06:00:00Z', to: '2026-03-10T08:00:00Z' });
      expect(minutes.points.map((p) => [p.at, p.quantity])).toEqual([
        ['2026-03-10T06:00:00.000Z', '40.5'],
        ['2026-03-10T07:01:00.000Z', '60'],
        ['2026-03-10T07:02:00.000Z', '19.5'],
      ]);
      expect(await t.admin.errorCode(UsageSeriesDocument, { organizationId: org, metric: 'api_calls', granularity: 'MINUTE' })).toBe(
        'BAD_USER_INPUT',
      );
    });
  });

  describe('idempotency', () => {
    it('counts a repeated id once, inside a batch and across batches', async () => {
      const before = await metricUsage(t.admin, org, 'requests');
      const batch = [
        { id: 'dup-1', metric: 'requests', timestamp: at(3) },
        { id: 'dup-2', metric: 'requests', timestamp: at(3) },
        { id: 'dup-1', metric: 'requests', timestamp: at(3) },
      ];
      expect(await record(t.admin, org, batch)).toEqual({ accepted: 2, duplicates: 1, rejected: [] });
      expect(await record(t.admin, org, batch)).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
      expect((await metricUsage(t.admin, org, 'requests')).used).toBe(String(Number(before.used) + 2));
    });

    it('stores ids, keys and dimensions with quotes, backslashes, commas and braces exactly', async () => {
      const id = 'odd "1" \\ {a,b}';
      const note = 'say "hi", {x} \\ NULL';
      const event = { id, metric: 'requests', timestamp: at(5), team: 'NULL', project: 'west side', dimensions: { note } };
      expect(await record(t.admin, org, [event])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect(await record(t.admin, org, [event])).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
      const [row] = await t.db.query(
        `SELECT team, project, dimensions->>'note' AS note FROM usage_events WHERE organization_id = $1 AND event_id = $2`,
        [org, id],
      );
      expect(row).toEqual({ team: 'NULL', project: 'west side', note });
      expect((await metricUsage(t.admin, org, 'requests', { dimensions: { note } })).used).toBe('1');
      expect((await metricUsage(t.admin, org, 'requests', { team: 'NULL', project: 'west side' })).used).toBe('1');
    });

    it('stores each event with its own metric and dimensions when a batch mixes them', async () => {
      // The write sends each distinct metric and dimension set once and indexes it per event and rollup cell.
      const events = Array.from({ length: 12 }, (_, i) => ({
        id: `mix-${i}`,
        metric: i % 2 ? 'requests' : 'api_calls',
        quantity: i % 2 ? null : String(i + 1),
        // Distinct milliseconds, two hours: times travel as epoch milliseconds.
        timestamp: new Date(Date.parse(at(6)) + (i % 2) * 3600_000 + i * 7).toISOString(),
        team: i % 3 ? `mix-team-${i % 3}` : null,
        dimensions: { mix: ['a', 'b', 'c'][i % 3]!, ...(i % 4 === 0 ? { tier: 'gold' } : {}) },
      }));
      // An organisation of its own: the other tests count this one's teams.
      const own = await organizationOn(t.admin, 'metered');
      expect(await record(t.admin, own, events)).toMatchObject({ accepted: 12, rejected: [] });
      const stored = await t.db.query(
        `SELECT e.event_id AS id, m.code AS metric, e.quantity::text AS quantity, e.dimensions, e.team,
                to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS timestamp
           FROM usage_events e JOIN metrics m ON m.id = e.metric_id
          WHERE e.organization_id = $1 AND e.event_id LIKE 'mix-%' ORDER BY e.event_id`,
        [own],
      );
      const expected = events.map((e) => ({
        id: e.id,
        metric: e.metric,
        quantity: e.quantity ?? '1',
        dimensions: e.dimensions,
        team: e.team,
        timestamp: e.timestamp,
      }));
      expect(stored).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
      const cells: Cell[] = await t.db.query(
        `SELECT m.code AS metric, r.team, to_char(r.bucket_start AT TIME ZONE 'UTC', 'HH24:MI') AS hour, r.dimensions,
                r.quantity::text AS quantity, r.event_count::int AS events,
                to_char(r.latest_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "latestAt"
           FROM usage_rollups r JOIN metrics m ON m.id = r.metric_id
          WHERE r.organization_id = $1 AND r.dimensions ? 'mix'`,
        [own],
      );
      const sums = new Map<string, Cell>();
      for (const e of expected) {
        const hour = e.timestamp.slice(11, 14) + '00';
        const key = JSON.stringify([e.metric, e.team, hour, e.dimensions]);
        const cell = sums.get(key) ?? {
          metric: e.metric,
          team: e.team ?? '',
          hour,
          dimensions: e.dimensions,
          quantity: '0',
          events: 0,
          latestAt: '',
        };
        cell.quantity = String(Number(cell.quantity) + Number(e.quantity));
        cell.events += 1;
        if (e.timestamp > cell.latestAt) cell.latestAt = e.timestamp;
        sums.set(key, cell);
      }
      const order = (list: Cell[]) => list.map((c) => JSON.stringify(c)).sort();
      expect(order(cells)).toEqual(order([...sums.values()]));
    });

    it('counts the same id once when two requests race', async () => {
      const before = Number((await metricUsage(t.admin, org, 'requests')).used);
      const batch = Array.from({ length: 50 }, (_, i) => ({ id: `race-${i}`, metric: 'requests', timestamp: at(4) }));
      const results = await Promise.all([record(t.admin, org, batch), record(t.admin, org, batch), record(t.admin, org, batch)]);
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(50);
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(100);
      expect(Number((await metricUsage(t.admin, org, 'requests')).used)).toBe(before + 50);
    });
  });

  describe('bad events are rejected one by one; the valid ones are committed together', () => {
    it('reports each invalid event with its index, code and reason', async () => {
      const before = Number((await metricUsage(t.admin, org, 'api_calls')).used);
      const res = await record(t.admin, org, [
        { id: 'ok-1', metric: 'api_calls', quantity: '1', timestamp: at(5) },
        { id: 'bad-metric', metric: 'no_such_metric', timestamp: at(5) },
        { id: 'bad-negative', metric: 'api_calls', quantity: '-3', timestamp: at(5) },
        { id: 'bad-text', metric: 'api_calls', quantity: 'lots', timestamp: at(5) },
        { id: 'bad-old', metric: 'api_calls', timestamp: new Date(Date.parse(CLOCK) - 36 * 86400_000).toISOString() },
        { id: 'bad-future', metric: 'api_calls', timestamp: new Date(Date.parse(CLOCK) + 6 * 60_000).toISOString() },
        { id: 'bad-dims', metric: 'api_calls', timestamp: at(5), dimensions: ['gpt-4'] },
        { id: 'ok-2', metric: 'api_calls', quantity: '2', timestamp: at(5) },
      ]);
      expect(res.accepted).toBe(2);
      expect(res.rejected.map((r) => [r.index, r.id, r.code, r.reason])).toEqual([
        [1, 'bad-metric', 'BAD_USER_INPUT', 'UNKNOWN_METRIC'],
        [2, 'bad-negative', 'BAD_USER_INPUT', 'INVALID_QUANTITY'],
        [3, 'bad-text', 'BAD_USER_INPUT', 'INVALID_QUANTITY'],
        [4, 'bad-old', 'BAD_USER_INPUT', 'TIMESTAMP_TOO_OLD'],
        [5, 'bad-future', 'BAD_USER_INPUT', 'TIMESTAMP_IN_FUTURE'],
        [6, 'bad-dims', 'BAD_USER_INPUT', 'INVALID_DIMENSIONS'],
      ]);
      expect(Number((await metricUsage(t.admin, org, 'api_calls')).used)).toBe(before + 3);
      // A rejected id was not consumed: once fixed, it is accepted.
      expect((await record(t.admin, org, [{ id: 'bad-negative', metric: 'api_calls', quantity: '3', timestamp: at(5) }])).accepted).toBe(1);
    });

    it('refuses a batch over 10,000 events as a whole, writing nothing', async () => {
      const before = await count('usage_event_keys');
      const events = Array.from({ length: 10_001 }, (_, i) => ({ id: `big-${i}`, metric: 'requests', timestamp: at(6) }));
      expect(await t.admin.errorCode(RecordUsageDocument, { input: { organizationId: org, events } })).toBe('BAD_USER_INPUT');
      expect(await count('usage_event_keys')).toBe(before);
    });

    it('refuses a key whose role may not record usage (FORBIDDEN), writing nothing', async () => {
      // recordUsage bypasses type-graphql's argument handling (build-schema.ts); its role is still checked.
      const member = t.client(await createApiKey(t.admin, org, 'MEMBER'));
      const before = await count('usage_events');
      const input = { organizationId: org, events: [{ id: 'by-member', metric: 'requests', timestamp: at(5) }] };
      expect(await member.errorCode(RecordUsageDocument, { input })).toBe('FORBIDDEN');
      expect(await count('usage_events')).toBe(before);
    });

    it('answers NOT_FOUND for an organisation that does not exist and BAD_USER_INPUT for a malformed id', async () => {
      const events = [{ id: 'x', metric: 'requests' }];
      expect(
        await t.admin.errorCode(RecordUsageDocument, { input: { organizationId: '00000000-0000-4000-8000-000000000000', events } }),
      ).toBe('NOT_FOUND');
      expect(await t.admin.errorCode(RecordUsageDocument, { input: { organizationId: 'acme', events } })).toBe('BAD_USER_INPUT');
      expect(await t.admin.errorCode(UsageDocument, { organizationId: 'acme' })).toBe('BAD_USER_INPUT');
    });

    it("stores events of real time in their month's partition, simulated ones in the default partition", async () => {
      const { createOrganization } = await t.admin.data(CreateOrganizationDocument, { input: { name: 'real time', planCode: 'metered' } });
      await record(t.admin, createOrganization.id, [{ id: 'now', metric: 'requests' }]);
      const [real] = await t.db.query('SELECT tableoid::regclass::text AS part FROM usage_events WHERE organization_id = $1', [
        createOrganization.id,
      ]);
      const now = new Date();
      expect(real.part).toBe(`usage_events_${now.getUTCFullYear()}_${String(now.getUTCMonth() + 1).padStart(2, '0')}`);
      const [simulated] = await t.db.query('SELECT tableoid::regclass::text AS part FROM usage_events WHERE organization_id = $1 LIMIT 1', [
        org,
      ]);
      expect(simulated.part).toBe('usage_events_default');
    });

    it("lists teams and projects in byte order of their keys, not the locale's", async () => {
      const own = await organizationOn(t.admin, 'metered');
      const keys = ['beta', 'Zeta', 'alpha', '_ops', 'Émile'];
      const events = keys.map((key, i) => ({ id: `order-${i}`, metric: 'requests', timestamp: at(5), team: key, project: key }));
      expect(await record(t.admin, own, events)).toMatchObject({ accepted: keys.length, rejected: [] });
      const { organization } = await t.admin.data(OrganizationDocument, { id: own });
      // A locale's collation would say alpha, beta, Émile, _ops, Zeta (or similar); bytes put capitals and '_' first.
      const byteOrder = ['Zeta', '_ops', 'alpha', 'beta', 'Émile'];
      expect(organization?.teams.map((team) => team.key)).toEqual(byteOrder);
      expect(organization?.projects.map((project) => project.key)).toEqual(byteOrder);
      // Whatever the server's locale: a cluster made in C.UTF-8 orders these the same way by default.
      const collations = await t.db.query(
        `SELECT table_name AS table, collation_name AS collation FROM information_schema.columns
          WHERE column_name = 'key' AND table_name IN ('teams', 'projects') ORDER BY table_name`,
      );
      expect(collations).toEqual([
        { table: 'projects', collation: 'C' },
        { table: 'teams', collation: 'C' },
      ]);
    });

    it('updates every rollup cell of a batch in place: no row leaves its page (HOT), so no index grows', async () => {
      const own = await organizationOn(t.admin, 'metered');
      // Several pages of cells, written together and then all updated by the next batch, as an organisation's hour is.
      const batch = (round: number) =>
        Array.from({ length: 300 }, (_, i) => ({ id: `hot-${round}-${i}`, metric: 'requests', timestamp: at(5), user: `user-${i}` }));
      const pages = async () =>
        new Map(
          (await t.db.query(`SELECT user_key, (ctid::text::point)[0] AS page FROM usage_rollups WHERE organization_id = $1`, [own])).map(
            (r: { user_key: string; page: number }) => [r.user_key, r.page],
          ),
        );
      expect(await record(t.admin, own, batch(1))).toMatchObject({ accepted: 300 });
      const before = await pages();
      expect(new Set(before.values()).size).toBeGreaterThan(2);
      expect(await record(t.admin, own, batch(2))).toMatchObject({ accepted: 300 });
      expect(await pages()).toEqual(before);
      const [cell] = await t.db.query(`SELECT event_count FROM usage_rollups WHERE organization_id = $1 AND user_key = 'user-7'`, [own]);
      expect(cell).toEqual({ event_count: '2' });
    });

    it('creates teams, projects and users on first use', async () => {
      const rows = await t.db.query('SELECT key FROM teams WHERE organization_id = $1', [org]);
      // 'NULL' is a team's name, from the test of unusual characters.
      expect(rows.map((r: { key: string }) => r.key).sort()).toEqual(['NULL', 'engineering', 'marketing']);
    });
  });

  describe('quotas', () => {
    it('a hard limit refuses what would pass it (peak storage 100 GB, 3 distinct users)', async () => {
      const res = await record(t.admin, org, [
        { id: 'big-disk', metric: 'storage_gb', quantity: '101', timestamp: at(7) },
        { id: 'full-disk', metric: 'storage_gb', quantity: '100', timestamp: at(7) },
        { id: 'u-carol', metric: 'active_users', timestamp: at(7), user: 'carol' },
        { id: 'u-dave', metric: 'active_users', timestamp: at(7), user: 'dave' },
        { id: 'u-alice-again', metric: 'active_users', timestamp: at(7), user: 'alice' },
      ]);
      expect(res.rejected.map((r) => [r.index, r.code, r.reason])).toEqual([
        [0, 'QUOTA_EXCEEDED', 'HARD_LIMIT'],
        [3, 'QUOTA_EXCEEDED', 'HARD_LIMIT'],
      ]);
      expect(await metricUsage(t.admin, org, 'storage_gb')).toMatchObject({ used: '100', blocked: true, percentage: 100 });
      expect(await metricUsage(t.admin, org, 'active_users')).toMatchObject({ used: '3', blocked: true });
    });

    it('resets limits with the period', async () => {
      await t.db.query(`UPDATE organizations SET test_clock_at = '2026-04-01T00:10:00Z' WHERE id = $1`, [org]);
      try {
        const res = await record(t.admin, org, [
          { id: 'april-disk', metric: 'storage_gb', quantity: '60', timestamp: '2026-04-01T00:05:00Z' },
        ]);
        expect(res).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
        const april = await usage(t.admin, org, { metric: 'storage_gb' }, { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' });
        expect(april.metrics[0]).toMatchObject({ used: '60', blocked: false });
      } finally {
        await t.db.query('UPDATE organizations SET test_clock_at = $2 WHERE id = $1', [org, CLOCK]);
      }
    });

    it('auto-pauses at the budget (overage protection) and limits requests per minute', async () => {
      const paused = await planWithOrganization(t.admin, [{ code: 'inference', unit: 'request', aggregation: 'SUM' }], {
        code: 'budgeted',
        name: 'Budgeted',
        currency: 'USD',
        basePrice: '0',
        monthlyBudget: '5.00',
        autoPauseAtBudget: true,
        requestsPerMinute: 4,
        charges: [{ metric: 'inference', model: 'PER_UNIT', unitPrice: '2' }],
      });
      const res = await record(
        t.admin,
        paused,
        [1, 2, 3, 4, 5].map((i) => ({ id: `i${i}`, metric: 'inference', timestamp: at(0) })),
      );
      // $2, $4, then $6 would pass the $5 budget: refused, as is the fourth; the fifth is past 4 per minute anyway.
      expect(res.accepted).toBe(2);
      expect(res.rejected.map((r) => [r.index, r.code, r.reason])).toEqual([
        [2, 'QUOTA_EXCEEDED', 'BUDGET_EXHAUSTED'],
        [3, 'QUOTA_EXCEEDED', 'BUDGET_EXHAUSTED'],
        [4, 'QUOTA_EXCEEDED', 'BUDGET_EXHAUSTED'],
      ]);
      expect(await metricUsage(t.admin, paused, 'inference')).toMatchObject({ cost: { amount: '4.00' } });

      const limited = await planWithOrganization(t.admin, [], {
        code: 'rpm',
        name: 'RPM',
        currency: 'USD',
        basePrice: '0',
        requestsPerMinute: 3,
        charges: [{ metric: 'requests', model: 'PER_UNIT', unitPrice: '0' }],
      });
      const first = await record(
        t.admin,
        limited,
        [1, 2].map((i) => ({ id: `a${i}`, metric: 'requests', timestamp: at(0) })),
      );
      const second = await record(
        t.admin,
        limited,
        [3, 4].map((i) => ({ id: `a${i}`, metric: 'requests', timestamp: at(0) })),
      );
      expect(first.accepted + second.accepted).toBe(3);
      expect(second.rejected).toEqual([expect.objectContaining({ index: 1, code: 'RATE_LIMITED', reason: 'RATE_LIMITED' })]);
    });
  });

  describe('price models at their edges', () => {
    const tiers: TierInput[] = [{ upTo: '100', unitPrice: '1' }, { upTo: '200', unitPrice: '0.5', flatPrice: '10' }, { unitPrice: '0.1' }];
    const cases: Array<[string, CreatePlanInput['charges'][number]['model'], string, string]> = [
      ['graduated, zero usage', 'GRADUATED', '0', '0.00'],
      ['graduated, exactly at the first bound', 'GRADUATED', '100', '100.00'],
      ['graduated, one unit into the second tier (+ flat fee)', 'GRADUATED', '101', '110.50'],
      ['graduated, fractional, past every bound', 'GRADUATED', '250.25', '165.03'],
      ['volume, exactly at the first bound', 'VOLUME', '100', '100.00'],
      ['volume, just above it', 'VOLUME', '100.5', '60.25'],
      ['volume, last tier', 'VOLUME', '201', '20.10'],
    ];
    it.each(cases)('%s', async (_label, model, quantity, amount) => {
      const code = `tier_${model.toLowerCase()}_${quantity.replace('.', '_')}`;
      const orgId = await planWithOrganization(t.admin, [{ code, unit: 'unit', aggregation: 'SUM' }], {
        code,
        name: code,
        currency: 'USD',
        basePrice: '0',
        charges: [{ metric: code, model, tiers }],
      });
      if (quantity !== '0') await record(t.admin, orgId, [{ id: 'q', metric: code, quantity, timestamp: at(0) }]);
      expect((await metricUsage(t.admin, orgId, code)).cost.amount).toBe(amount);
    });

    it('rounds once per line to the currency: JPY has no minor unit', async () => {
      const orgId = await planWithOrganization(t.admin, [{ code: 'yen_calls', unit: 'call', aggregation: 'SUM' }], {
        code: 'yen',
        name: 'Yen',
        currency: 'JPY',
        basePrice: '1000',
        charges: [{ metric: 'yen_calls', model: 'PER_UNIT', unitPrice: '0.35' }],
      });
      await record(t.admin, orgId, [{ id: 'y', metric: 'yen_calls', quantity: '5', timestamp: at(0) }]);
      expect((await usage(t.admin, orgId)).totalCost).toEqual({ amount: '2', currency: 'JPY' });
    });
  });
});
