import {
  AdvanceTestClockDocument,
  CreateMetricDocument,
  CreatePlanDocument,
  EntitlementCheckDocument,
  EntitlementsDocument,
  RecordUsageRetryDocument,
  SetSpendControlsDocument,
  type SpendControlsInput,
  type UsageEventInput,
} from '../generated/graphql';
import { createTenant } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { CLOCK, organizationOn } from '../helpers/usage-fixtures';

/** CLOCK (12:00 UTC) shifted by whole hours. */
const hoursFrom = (hours: number) => new Date(Date.parse(CLOCK) + hours * 3_600_000).toISOString();
const calls = (prefix: string, quantities: string[], timestamp = CLOCK): UsageEventInput[] =>
  quantities.map((quantity, i) => ({ id: `${prefix}-${i}`, metric: 'sle_calls', quantity, timestamp }));

describe('entitlements at a reached hourly or daily spend limit (SPEND_LIMIT)', () => {
  let t: TestServer;
  const set = (input: SpendControlsInput) => t.admin.data(SetSpendControlsDocument, { input });
  const record = (organizationId: string, events: UsageEventInput[]) =>
    t.admin.data(RecordUsageRetryDocument, { input: { organizationId, events } }).then((r) => r.recordUsage);
  const check = async (organizationId: string) =>
    (await t.admin.data(EntitlementCheckDocument, { organizationId, feature: 'sle_calls' })).entitlement;
  const advance = (organizationId: string, to: string) => t.admin.data(AdvanceTestClockDocument, { organizationId, to });

  beforeAll(async () => {
    t = await startTestServer();
    for (const code of ['sle_calls', 'sle_tokens']) {
      await t.admin.data(CreateMetricDocument, { input: { code, unit: 'unit', aggregation: 'SUM' } });
    }
    await t.admin.data(CreatePlanDocument, {
      input: {
        code: 'sle_plan',
        name: 'Spend limited',
        currency: 'USD',
        basePrice: '0',
        charges: [
          { metric: 'sle_calls', model: 'PER_UNIT', unitPrice: '1.00' },
          { metric: 'sle_tokens', model: 'PER_UNIT', unitPrice: '0.01', limit: '1000' },
        ],
        features: [{ feature: 'sle_sso' }],
      },
    });
  });
  afterAll(() => t.close());

  it('closes every metered entitlement once the hour cost its limit, and opens them with the next hour', async () => {
    const org = await organizationOn(t.admin, 'sle_plan');
    await set({ organizationId: org, perHourLimit: '5' });
    expect((await record(org, calls('a', ['4']))).accepted).toBe(1);
    expect(await check(org)).toMatchObject({ hasAccess: true, reason: null });

    expect((await record(org, calls('b', ['1']))).accepted).toBe(1);
    expect(await check(org)).toMatchObject({ hasAccess: false, reason: 'SPEND_LIMIT', used: '5', unlimited: true });
    const listed = (await t.admin.data(EntitlementsDocument, { organizationId: org })).entitlements;
    expect(listed.map((e) => [e.feature, e.hasAccess, e.reason])).toEqual([
      ['sle_calls', false, 'SPEND_LIMIT'],
      ['sle_sso', true, null],
      ['sle_tokens', false, 'SPEND_LIMIT'],
    ]);
    // Ingestion agrees: nothing that costs passes this hour.
    expect((await record(org, calls('c', ['0.01']))).rejected).toEqual([expect.objectContaining({ reason: 'SPEND_LIMIT' })]);

    await advance(org, hoursFrom(1));
    expect(await check(org)).toMatchObject({ hasAccess: true, reason: null, used: '5' });
    expect((await record(org, calls('d', ['1'], hoursFrom(1)))).accepted).toBe(1);
  });

  it('closes them for the rest of the UTC day once the day cost its limit, and opens them the next day', async () => {
    const org = await organizationOn(t.admin, 'sle_plan');
    await set({ organizationId: org, perDayLimit: '6' });
    await record(org, calls('m', ['4'], hoursFrom(-5)));
    expect(await check(org)).toMatchObject({ hasAccess: true });
    await record(org, calls('n', ['2']));
    expect(await check(org)).toMatchObject({ hasAccess: false, reason: 'SPEND_LIMIT' });

    await advance(org, hoursFrom(11));
    expect(await check(org)).toMatchObject({ hasAccess: false, reason: 'SPEND_LIMIT' });
    await advance(org, hoursFrom(12));
    expect(await check(org)).toMatchObject({ hasAccess: true, reason: null, used: '6' });
  });

  it('answers at once when usage or the limit changes for an organisation on real time (its cached entry is dropped)', async () => {
    const { organization } = await createTenant(t.admin, 'sle_plan');
    const org = organization.id;
    // A daily limit, so that only a run across midnight UTC could see the event's day end before the check.
    const now = new Date().toISOString();
    await set({ organizationId: org, perDayLimit: '3' });
    expect(await check(org)).toMatchObject({ hasAccess: true });
    await record(org, calls('r', ['3'], now));
    expect(await check(org)).toMatchObject({ hasAccess: false, reason: 'SPEND_LIMIT' });
    await set({ organizationId: org, perDayLimit: '4' });
    expect(await check(org)).toMatchObject({ hasAccess: true, reason: null });
  });

  it("refuses another tenant's key (FORBIDDEN)", async () => {
    const org = await organizationOn(t.admin, 'sle_plan');
    const other = await createTenant(t.admin, 'sle_plan');
    const client = t.client(other.keys.tenantAdmin);
    expect(await client.errorCode(EntitlementCheckDocument, { organizationId: org, feature: 'sle_calls' })).toBe('FORBIDDEN');
    expect(await client.errorCode(EntitlementsDocument, { organizationId: org })).toBe('FORBIDDEN');
  });
});
