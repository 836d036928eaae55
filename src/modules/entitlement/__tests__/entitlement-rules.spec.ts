import type { FeatureGrant } from '../../plan/plan-features';
import {
  planFeatureEntitlement,
  resolveEntitlement,
  resolveEntitlements,
  spendAnswerEnd,
  spendLimitReached,
  type EntitlementSnapshot,
  type MeteredGrant,
} from '../entitlement-rules';

const grant = (feature: string, enabled = true, config: Record<string, unknown> | null = null): FeatureGrant => ({
  feature,
  enabled,
  config,
});
const tokens = (used: string, limit: string | null, hardLimit = true): MeteredGrant => ({ metric: 'tokens', limit, hardLimit, used });

function snapshot(parts: Partial<EntitlementSnapshot> = {}): EntitlementSnapshot {
  return {
    closed: false,
    features: new Map(),
    overrides: new Map(),
    metered: new Map(),
    budgetExhausted: false,
    spendLimitReached: false,
    ...parts,
  };
}
const byCode = (...grants: FeatureGrant[]) => new Map(grants.map((g) => [g.feature, g]));

describe('resolveEntitlement', () => {
  it("grants a plan's feature with its static values", () => {
    const s = snapshot({ features: byCode(grant('concurrent_requests', true, { limit: 20 })) });
    expect(resolveEntitlement(s, 'concurrent_requests')).toEqual({
      feature: 'concurrent_requests',
      hasAccess: true,
      reason: null,
      config: { limit: 20 },
      metric: null,
      used: null,
      limit: null,
      remaining: null,
      unlimited: false,
    });
  });

  it('refuses a feature the plan lacks (NOT_IN_PLAN) or disables (FEATURE_DISABLED)', () => {
    const s = snapshot({ features: byCode(grant('sso', false)) });
    expect(resolveEntitlement(s, 'managed_bedrock')).toMatchObject({ hasAccess: false, reason: 'NOT_IN_PLAN' });
    expect(resolveEntitlement(s, 'sso')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
  });

  it("lets an override grant, withdraw or reconfigure a feature, keeping the plan's values when it has none", () => {
    const s = snapshot({
      features: byCode(grant('sso'), grant('burst_limit', true, { limit: 5 })),
      overrides: byCode(grant('sso', false), grant('managed_bedrock'), grant('burst_limit', true, { limit: 50 })),
    });
    expect(resolveEntitlement(s, 'sso')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
    expect(resolveEntitlement(s, 'managed_bedrock')).toMatchObject({ hasAccess: true, reason: null, config: null });
    expect(resolveEntitlement(s, 'burst_limit')).toMatchObject({ hasAccess: true, config: { limit: 50 } });
    const kept = snapshot({ features: byCode(grant('burst_limit', false, { limit: 5 })), overrides: byCode(grant('burst_limit')) });
    expect(resolveEntitlement(kept, 'burst_limit')).toMatchObject({ hasAccess: true, config: { limit: 5 } });
  });

  it('meters a charged metric: used, limit and remaining as exact decimals', () => {
    const s = snapshot({ metered: new Map([['tokens', tokens('999.999', '1000.5')]]) });
    expect(resolveEntitlement(s, 'tokens')).toEqual({
      feature: 'tokens',
      hasAccess: true,
      reason: null,
      config: null,
      metric: 'tokens',
      used: '999.999',
      limit: '1000.5',
      remaining: '0.501',
      unlimited: false,
    });
  });

  it('closes metered access once a hard limit is reached, not a soft one (billed as overage)', () => {
    expect(resolveEntitlement(snapshot({ metered: new Map([['tokens', tokens('1000', '1000')]]) }), 'tokens')).toMatchObject({
      hasAccess: false,
      reason: 'QUOTA_EXCEEDED',
      remaining: '0',
    });
    expect(resolveEntitlement(snapshot({ metered: new Map([['tokens', tokens('1200', '1000', false)]]) }), 'tokens')).toMatchObject({
      hasAccess: true,
      reason: null,
      remaining: '0',
    });
  });

  it('shows a charge without a limit as unlimited', () => {
    expect(resolveEntitlement(snapshot({ metered: new Map([['tokens', tokens('5', null)]]) }), 'tokens')).toMatchObject({
      hasAccess: true,
      limit: null,
      remaining: null,
      unlimited: true,
    });
  });

  it('pauses metered access at an exhausted auto-pause budget, and every access of a closed account', () => {
    const metered = new Map([['tokens', tokens('1', null)]]);
    expect(resolveEntitlement(snapshot({ metered, budgetExhausted: true }), 'tokens')).toMatchObject({
      hasAccess: false,
      reason: 'BUDGET_EXHAUSTED',
    });
    const closed = snapshot({ metered, closed: true, features: byCode(grant('sso')) });
    expect(resolveEntitlement(closed, 'tokens')).toMatchObject({ hasAccess: false, reason: 'ACCOUNT_CLOSED' });
    expect(resolveEntitlement(closed, 'sso')).toMatchObject({ hasAccess: false, reason: 'ACCOUNT_CLOSED' });
    expect(resolveEntitlement(closed, 'anything')).toMatchObject({ hasAccess: false, reason: 'ACCOUNT_CLOSED' });
  });

  it('closes metered access at a reached hourly or daily spend limit, leaving features alone', () => {
    const s = snapshot({ metered: new Map([['tokens', tokens('1', '10')]]), features: byCode(grant('sso')), spendLimitReached: true });
    expect(resolveEntitlement(s, 'tokens')).toMatchObject({ hasAccess: false, reason: 'SPEND_LIMIT', used: '1', remaining: '9' });
    expect(resolveEntitlement(s, 'sso')).toMatchObject({ hasAccess: true, reason: null });
    // The budget lasts to the period's end and a quota to the next, so either is the reason when it also holds.
    expect(resolveEntitlement({ ...s, budgetExhausted: true }, 'tokens')).toMatchObject({ reason: 'BUDGET_EXHAUSTED' });
    const quota = { ...s, metered: new Map([['tokens', tokens('10', '10')]]) };
    expect(resolveEntitlement(quota, 'tokens')).toMatchObject({ reason: 'QUOTA_EXCEEDED' });
  });

  it('lets an override withdraw metered access', () => {
    const s = snapshot({ metered: new Map([['tokens', tokens('1', null)]]), overrides: byCode(grant('tokens', false)) });
    expect(resolveEntitlement(s, 'tokens')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED', used: '1' });
  });
});

describe('resolveEntitlements', () => {
  it("lists the plan's features, the overrides and the charged metrics once each, by code", () => {
    const s = snapshot({
      features: byCode(grant('sso'), grant('burst_limit')),
      overrides: byCode(grant('sso', false), grant('audit_log')),
      metered: new Map([['tokens', tokens('0', '10')]]),
    });
    expect(resolveEntitlements(s).map((e) => [e.feature, e.hasAccess])).toEqual([
      ['audit_log', true],
      ['burst_limit', true],
      ['sso', false],
      ['tokens', true],
    ]);
  });
});

describe('spendLimitReached', () => {
  const none = { perHourLimit: null, perDayLimit: null, hourCost: '0', dayCost: '0' };

  it('is reached once the hour or the day cost as much as its limit', () => {
    expect(spendLimitReached({ ...none, perHourLimit: '5', hourCost: '4.99', dayCost: '4.99' })).toBe(false);
    expect(spendLimitReached({ ...none, perHourLimit: '5', hourCost: '5', dayCost: '5' })).toBe(true);
    expect(spendLimitReached({ ...none, perHourLimit: '5', hourCost: '5.01', dayCost: '5.01' })).toBe(true);
    expect(spendLimitReached({ ...none, perDayLimit: '20', hourCost: '1', dayCost: '19.999' })).toBe(false);
    expect(spendLimitReached({ ...none, perDayLimit: '20', hourCost: '1', dayCost: '20' })).toBe(true);
    // Each limit is read against its own window: a day within its limit does not hide a spent hour.
    expect(spendLimitReached({ perHourLimit: '5', perDayLimit: '100', hourCost: '5', dayCost: '5' })).toBe(true);
    expect(spendLimitReached({ perHourLimit: '5', perDayLimit: '100', hourCost: '0', dayCost: '100' })).toBe(true);
  });

  it('is never reached without limits, and a limit of 0 is reached at once', () => {
    expect(spendLimitReached({ ...none, hourCost: '1000', dayCost: '1000' })).toBe(false);
    expect(spendLimitReached({ ...none, perHourLimit: '0' })).toBe(true);
  });
});

describe('spendAnswerEnd', () => {
  const hourStart = new Date('2030-03-04T05:00:00Z');

  it('ends with the hour for an hourly limit, with the UTC day for a daily one alone, never without either', () => {
    expect(spendAnswerEnd({ perHourLimit: '5', perDayLimit: '50' }, hourStart)).toBe(Date.parse('2030-03-04T06:00:00Z'));
    expect(spendAnswerEnd({ perHourLimit: null, perDayLimit: '50' }, hourStart)).toBe(Date.parse('2030-03-05T00:00:00Z'));
    expect(spendAnswerEnd({ perHourLimit: null, perDayLimit: null }, hourStart)).toBeNull();
  });
});

describe('planFeatureEntitlement', () => {
  it('shows a feature as the plan grants it', () => {
    expect(planFeatureEntitlement(grant('sso', true, { saml: true }))).toMatchObject({
      hasAccess: true,
      reason: null,
      config: { saml: true },
    });
    expect(planFeatureEntitlement(grant('sso', false))).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED' });
  });
});
