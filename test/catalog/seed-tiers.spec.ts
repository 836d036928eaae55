import { EntitlementCheckDocument, SetFeatureOverrideDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, loadSeedCatalog, metricUsage, organizationOn, record, usage } from '../helpers/usage-fixtures';

/**
 * Each seed tier's allowed and refused usage, recorded through the API as a
 * platform would, with amounts worked out by hand from the published prices.
 */
describe('every seed tier allows exactly what it publishes', () => {
  let t: TestServer;
  const check = async (organizationId: string, feature: string) =>
    (await t.admin.data(EntitlementCheckDocument, { organizationId, feature })).entitlement;
  const refusals = (res: Awaited<ReturnType<typeof record>>) => res.rejected.map((r) => [r.index, r.code, r.reason]);

  beforeAll(async () => {
    t = await startTestServer();
    await loadSeedCatalog(t.admin);
  });
  afterAll(() => t.close());

  it('seed 000: Connectors Free has basic connectors only (Notion, Google Workspace); Pro has all of them', async () => {
    const free = await organizationOn(t.admin, 'connectors_free');
    const res = await record(t.admin, free, [
      { id: 'n', metric: 'connector_calls', quantity: '60', dimensions: { connector: 'notion' }, timestamp: at(0) },
      { id: 'g', metric: 'connector_calls', quantity: '30', dimensions: { connector: 'google_workspace' }, timestamp: at(1) },
      { id: 's', metric: 'connector_calls', quantity: '1', dimensions: { connector: 'slack' }, timestamp: at(2) },
      { id: 'x', metric: 'connector_calls', quantity: '1', timestamp: at(3) },
      { id: 'mb', metric: 'connector_data_mb', quantity: '8', timestamp: at(4) },
    ]);
    expect(res.accepted).toBe(3);
    expect(refusals(res)).toEqual([
      [2, 'NOT_ENTITLED', 'DIMENSION_NOT_ALLOWED'],
      [3, 'NOT_ENTITLED', 'DIMENSION_NOT_ALLOWED'],
    ]);
    // 90 of the 100 free calls: nothing owed.
    expect(await metricUsage(t.admin, free, 'connector_calls')).toMatchObject({ used: '90', remaining: '10', cost: { amount: '0.00' } });
    expect(await check(free, 'support')).toMatchObject({ hasAccess: true, config: { level: 'community' } });

    const pro = await organizationOn(t.admin, 'connectors_pro');
    const proRes = await record(t.admin, pro, [
      { id: 's', metric: 'connector_calls', quantity: '700', dimensions: { connector: 'slack' }, timestamp: at(0) },
      { id: 'g', metric: 'connector_calls', quantity: '500', dimensions: { connector: 'github' }, timestamp: at(1) },
      { id: 'c', metric: 'connector_calls', quantity: '1', timestamp: at(2) },
    ]);
    expect(proRes).toMatchObject({ accepted: 3, rejected: [] });
    // 1,201 calls: 201 past the 1,000 included, one block of 500 for $5.
    expect(await metricUsage(t.admin, pro, 'connector_calls')).toMatchObject({ used: '1201', cost: { amount: '5.00' } });
  });

  it('seed 001: FlowStack Free is BYOK-only (no managed Bedrock); Starter includes managed Bedrock at no extra cost', async () => {
    const free = await organizationOn(t.admin, 'flowstack_free');
    const res = await record(t.admin, free, [
      { id: 's1', metric: 'sessions', dimensions: { conversation: 'a' }, timestamp: at(0) },
      { id: 'b1', metric: 'managed_bedrock_requests', quantity: '5', timestamp: at(1) },
    ]);
    expect(res.accepted).toBe(1);
    expect(refusals(res)).toEqual([[1, 'NOT_ENTITLED', 'FEATURE_DISABLED']]);
    expect(res.rejected[0]?.message).toMatch(/needs the feature "managed_bedrock"/);
    expect(await check(free, 'managed_bedrock')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
    expect(await check(free, 'managed_bedrock_requests')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
    expect(await check(free, 'byok')).toMatchObject({ hasAccess: true });
    // A platform admin may grant managed Bedrock to one Free organisation.
    await t.admin.data(SetFeatureOverrideDocument, { input: { organizationId: free, feature: 'managed_bedrock', enabled: true } });
    expect(await record(t.admin, free, [{ id: 'b1', metric: 'managed_bedrock_requests', quantity: '5', timestamp: at(1) }])).toMatchObject({
      accepted: 1,
    });

    const starter = await organizationOn(t.admin, 'flowstack_starter');
    const ok = await record(t.admin, starter, [{ id: 'b', metric: 'managed_bedrock_requests', quantity: '500', timestamp: at(0) }]);
    expect(ok).toMatchObject({ accepted: 1, rejected: [] });
    expect(await metricUsage(t.admin, starter, 'managed_bedrock_requests')).toMatchObject({
      used: '500',
      unlimited: true,
      cost: { amount: '0.00' },
    });
  });

  it('seed 002: hourly pay as you go charges compute hours only', async () => {
    const org = await organizationOn(t.admin, 'hourly_payg');
    const res = await record(t.admin, org, [
      { id: 'h', metric: 'compute_hours', quantity: '1.05', timestamp: at(0) },
      { id: 't', metric: 'llm_tokens', quantity: '10', timestamp: at(1) },
    ]);
    expect(refusals(res)).toEqual([[1, 'NOT_ENTITLED', 'NOT_IN_PLAN']]);
    // 1.05 h is two started hours at the illustrative $0.10.
    expect(await metricUsage(t.admin, org, 'compute_hours')).toMatchObject({ used: '2', cost: { amount: '0.20' } });
  });

  it('seed 003: analytics Enterprise has unlimited tokens, queries and users, 1 TB storage and compute per minute', async () => {
    const org = await organizationOn(t.admin, 'analytics_enterprise');
    const res = await record(t.admin, org, [
      { id: 't', metric: 'llm_tokens', quantity: '50000000', timestamp: at(0) },
      { id: 'q', metric: 'sql_queries', quantity: '2000000', timestamp: at(1) },
      ...Array.from({ length: 40 }, (_, i) => ({ id: `u${i}`, metric: 'active_users', user: `user-${i}`, timestamp: at(2) })),
      { id: 's1', metric: 'storage_gb', quantity: '900', timestamp: at(3) },
      { id: 's2', metric: 'storage_gb', quantity: '1500', timestamp: at(4) },
      { id: 'c1', metric: 'compute_minutes', quantity: '0.5', timestamp: at(5) },
      { id: 'c2', metric: 'compute_minutes', quantity: '2.2', timestamp: at(6) },
      { id: 'h', metric: 'compute_hours', quantity: '1', timestamp: at(7) },
    ]);
    expect(res.accepted).toBe(46);
    expect(refusals(res)).toEqual([[46, 'NOT_ENTITLED', 'NOT_IN_PLAN']]);
    const report = await usage(t.admin, org);
    const line = (metric: string) => report.metrics.find((m) => m.metric === metric);
    for (const metric of ['llm_tokens', 'sql_queries', 'active_users']) {
      expect(line(metric)).toMatchObject({ unlimited: true, limit: null, cost: { amount: '0.00' } });
    }
    expect(line('active_users')?.used).toBe('40');
    // The day's peak, 1,500 GB on 10 March, held to the month's end: 22 × 1,500 / 31 = 1,064.516… GB a day on
    // average, 64.516… GB past the 1 TB at the illustrative $0.10 = $6.45.
    expect(line('storage_gb')).toMatchObject({ used: '1064.51612903225806451613', limit: '1000', cost: { amount: '6.45' } });
    // Each event counts its started minutes: 0.5 → 1, 2.2 → 3.
    expect(line('compute_minutes')).toMatchObject({ used: '4', cost: { amount: '0.00' } });
    expect(report.totalCost.amount).toBe('6.45');
    expect(await check(org, 'llm_tokens')).toMatchObject({ hasAccess: true, unlimited: true, used: '50000000' });
  });

  it('seed 004: Community has inference, streaming and batch requests only, and its static limits', async () => {
    const org = await organizationOn(t.admin, 'auterity_community');
    const res = await record(t.admin, org, [
      { id: 'i', metric: 'ai_inference_requests', quantity: '3', dimensions: { model: 'gpt-4' }, timestamp: at(0) },
      { id: 'st', metric: 'ai_streaming_requests', quantity: '2', dimensions: { model: 'claude-3-haiku' }, timestamp: at(1) },
      { id: 'b', metric: 'ai_batch_requests', quantity: '4', timestamp: at(2) },
      { id: 'sm', metric: 'smart_inference_requests', quantity: '1000', timestamp: at(3) },
      { id: 'fj', metric: 'fine_tune_jobs', timestamp: at(4) },
      { id: 'fh', metric: 'fine_tune_hours', quantity: '50', timestamp: at(5) },
      { id: 'ab', metric: 'ab_test_runs', quantity: '99', timestamp: at(6) },
      { id: 'co', metric: 'collaboration_requests', quantity: '1', timestamp: at(7) },
    ]);
    expect(res.accepted).toBe(3);
    expect(refusals(res)).toEqual([3, 4, 5, 6, 7].map((i) => [i, 'NOT_ENTITLED', 'NOT_IN_PLAN']));
    // 3 GPT-4 requests × $0.002 + 2 Haiku streams × $0.0005 + 4 batch requests × $0.002 = $0.015 → $0.02 (one rounding per line:
    // 0.006 → 0.01, 0.001 → 0.00, 0.008 → 0.01).
    const report = await usage(t.admin, org);
    expect(report.metrics.map((m) => m.metric).sort()).toEqual([
      'ai_batch_requests',
      'ai_inference_requests',
      'ai_streaming_requests',
      'ai_tokens',
    ]);
    expect(report.totalCost.amount).toBe('0.02');
    expect(await check(org, 'concurrent_requests')).toMatchObject({ hasAccess: true, config: { limit: 2 } });
    expect(await check(org, 'max_cost_per_request')).toMatchObject({ config: { amount: '0.01' } });
    expect(await check(org, 'requests_per_hour')).toMatchObject({ config: { limit: 100 } });
    expect(await check(org, 'burst_limit')).toMatchObject({ hasAccess: false, reason: 'NOT_IN_PLAN' });
    expect(await check(org, 'smart_inference_requests')).toMatchObject({ hasAccess: false, reason: 'NOT_IN_PLAN' });
  });

  it('seed 004: Starter adds smart inference; Professional adds optimisation, batch jobs, fine-tune jobs and A/B tests', async () => {
    const starter = await organizationOn(t.admin, 'auterity_starter');
    const s = await record(t.admin, starter, [
      { id: 'sm', metric: 'smart_inference_requests', quantity: '10', timestamp: at(0) },
      { id: 'mo', metric: 'model_optimization_requests', quantity: '1', timestamp: at(1) },
      { id: 'fj', metric: 'fine_tune_jobs', timestamp: at(2) },
    ]);
    expect(refusals(s)).toEqual([
      [1, 'NOT_ENTITLED', 'NOT_IN_PLAN'],
      [2, 'NOT_ENTITLED', 'NOT_IN_PLAN'],
    ]);
    // 10 × $0.005.
    expect(await metricUsage(t.admin, starter, 'smart_inference_requests')).toMatchObject({ used: '10', cost: { amount: '0.05' } });

    const pro = await organizationOn(t.admin, 'auterity_professional');
    const p = await record(t.admin, pro, [
      ...Array.from({ length: 11 }, (_, i) => ({ id: `fj${i}`, metric: 'fine_tune_jobs', timestamp: at(i) })),
      { id: 'fh', metric: 'fine_tune_hours', quantity: '50', timestamp: at(12) },
      { id: 'ab1', metric: 'ab_test_runs', quantity: '50', timestamp: at(13) },
      { id: 'ab2', metric: 'ab_test_runs', quantity: '1', timestamp: at(14) },
      { id: 'mo', metric: 'model_optimization_requests', quantity: '100', timestamp: at(15) },
      { id: 'co', metric: 'collaboration_requests', quantity: '1', timestamp: at(16) },
    ]);
    // Fine-tuning is a quota of 10 jobs a month; A/B tests 50 runs.
    expect(refusals(p)).toEqual([
      [10, 'QUOTA_EXCEEDED', 'HARD_LIMIT'],
      [13, 'QUOTA_EXCEEDED', 'HARD_LIMIT'],
      [15, 'NOT_ENTITLED', 'NOT_IN_PLAN'],
    ]);
    const report = await usage(t.admin, pro);
    const line = (metric: string) => report.metrics.find((m) => m.metric === metric);
    expect(line('fine_tune_jobs')).toMatchObject({ used: '10', remaining: '0', blocked: true });
    // 50 h × $0.02 = $1.00; 50 runs × $0.008 = $0.40; 100 optimisations × $0.01 = $1.00.
    expect(line('fine_tune_hours')?.cost.amount).toBe('1.00');
    expect(line('ab_test_runs')?.cost.amount).toBe('0.40');
    expect(line('model_optimization_requests')?.cost.amount).toBe('1.00');
    expect(report.totalCost.amount).toBe('2.40');
    expect(await check(pro, 'burst_limit')).toMatchObject({ hasAccess: true, config: { limit: 50 } });
    expect(await check(pro, 'fine_tune_jobs')).toMatchObject({ hasAccess: false, reason: 'QUOTA_EXCEEDED', limit: '10' });
  });
});
