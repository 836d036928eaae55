import { resolveEntitlement, type EntitlementSnapshot } from '../entitlement-rules';
import { AccessRefusal, compileAllowList, dimensionRefusal, featureEnabled, meteredRefusal, type AccessContext } from '../usage-access';

const context = (planned: Record<string, boolean> = {}, overrides: Record<string, boolean> = {}, hasPlan = true): AccessContext => ({
  hasPlan,
  override: (code) => overrides[code],
  planned: (code) => planned[code],
});

describe('featureEnabled', () => {
  it('takes the override, else the plan, and counts a feature neither names as off', () => {
    expect(featureEnabled(undefined, true)).toBe(true);
    expect(featureEnabled(false, true)).toBe(false);
    expect(featureEnabled(true, false)).toBe(true);
    expect(featureEnabled(undefined, undefined)).toBe(false);
  });
});

describe('meteredRefusal', () => {
  it('refuses a metric the plan does not charge, saying whether there is a plan at all', () => {
    expect(meteredRefusal('calls', undefined, context())).toEqual({
      reason: AccessRefusal.NOT_IN_PLAN,
      message: "The organization's plan does not include calls; its usage is not recorded",
    });
    expect(meteredRefusal('calls', undefined, context({}, {}, false))?.message).toBe(
      'The organization has no plan, so no usage (here calls) is recorded',
    );
  });

  it('refuses a metric an override withdraws, even when the plan charges it', () => {
    expect(meteredRefusal('calls', {}, context({}, { calls: false }))).toMatchObject({ reason: AccessRefusal.FEATURE_DISABLED });
    expect(meteredRefusal('calls', {}, context({}, { calls: true }))).toBeNull();
  });

  it('refuses a gated charge while its feature is off: by the plan, by an override, or named by neither', () => {
    const gated = { requiresFeature: 'managed' };
    expect(meteredRefusal('calls', gated, context({ managed: true }))).toBeNull();
    expect(meteredRefusal('calls', gated, context({ managed: false }))?.reason).toBe(AccessRefusal.FEATURE_DISABLED);
    expect(meteredRefusal('calls', gated, context({ managed: true }, { managed: false }))?.reason).toBe(AccessRefusal.FEATURE_DISABLED);
    expect(meteredRefusal('calls', gated, context({ managed: false }, { managed: true }))).toBeNull();
    expect(meteredRefusal('calls', gated, context())?.message).toBe(
      `calls needs the feature "managed", which the organization's plan does not include or enable`,
    );
  });
});

describe('dimensionRefusal', () => {
  const list = compileAllowList({ connector: ['notion', 'google_workspace'], tier: ['1'] });

  it('passes an event whose every listed dimension holds an allowed value (compared as text), whatever else it carries', () => {
    expect(dimensionRefusal('calls', list, { connector: 'notion', tier: 1, region: 'eu' })).toBeNull();
  });

  it('refuses a value outside the list, and an event without a listed dimension', () => {
    expect(dimensionRefusal('calls', list, { connector: 'slack', tier: '1' })).toEqual({
      reason: AccessRefusal.DIMENSION_NOT_ALLOWED,
      message: `The organization's plan does not allow calls with connector "slack"; allowed: notion, google_workspace`,
    });
    expect(dimensionRefusal('calls', list, { connector: 'notion' })?.message).toBe(
      'calls is recorded only with the dimension "tier" set to one of: 1',
    );
  });

  it('shortens a long value and a long list in its message', () => {
    const long = compileAllowList({ k: Array.from({ length: 12 }, (_, i) => `v${i}`) });
    const refusal = dimensionRefusal('calls', long, { k: 'x'.repeat(100) });
    expect(refusal?.message).toBe(
      `The organization's plan does not allow calls with k "${'x'.repeat(64)}…"; allowed: v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, …`,
    );
  });
});

describe('metered entitlements agree with ingestion', () => {
  const snapshot = (parts: Partial<EntitlementSnapshot>): EntitlementSnapshot => ({
    closed: false,
    features: new Map(),
    overrides: new Map(),
    metered: new Map([['calls', { metric: 'calls', limit: null, hardLimit: false, used: '0', requiresFeature: 'managed' }]]),
    budgetExhausted: false,
    spendLimitReached: false,
    ...parts,
  });

  it('closes a gated metric while its feature is off, and opens it with the feature', () => {
    expect(resolveEntitlement(snapshot({}), 'calls')).toMatchObject({ hasAccess: false, reason: 'FEATURE_DISABLED', metric: 'calls' });
    const on = new Map([['managed', { feature: 'managed', enabled: true, config: null }]]);
    expect(resolveEntitlement(snapshot({ features: on }), 'calls')).toMatchObject({ hasAccess: true, reason: null });
    const off = new Map([['managed', { feature: 'managed', enabled: false, config: null }]]);
    expect(resolveEntitlement(snapshot({ features: on, overrides: off }), 'calls')).toMatchObject({ reason: 'FEATURE_DISABLED' });
  });
});
