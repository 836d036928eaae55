import { Dec } from '../../common/money/decimal';
import type { FeatureGrant } from '../plan/plan-features';
import { EntitlementReason, type Entitlement } from './entitlement.types';
import { meteredRefusal, type AccessContext } from './usage-access';

/** A metric the plan charges, and the period's usage of it. */
export interface MeteredGrant {
  metric: string;
  /** Null: no limit. */
  limit: string | null;
  hardLimit: boolean;
  used: string;
  /** The feature that gates the charge (ingestion refuses its events while it is off); absent or null: none. */
  requiresFeature?: string | null;
}

/** Everything an organisation's entitlements are computed from, read at one moment. */
export interface EntitlementSnapshot {
  /** Closed, or its subscription ended. */
  closed: boolean;
  /** The plan's features, by code. */
  features: ReadonlyMap<string, FeatureGrant>;
  /** The organisation's overrides, by code. */
  overrides: ReadonlyMap<string, FeatureGrant>;
  /** The plan's charges, by metric code. */
  metered: ReadonlyMap<string, MeteredGrant>;
  /** The period's cost reached a budget that pauses usage. */
  budgetExhausted: boolean;
  /** The current UTC hour's or day's cost reached its spend limit. */
  spendLimitReached: boolean;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The spend limits and what the current UTC hour and day cost (amounts as text; a limit null: none). */
export interface SpendState {
  perHourLimit: string | null;
  perDayLimit: string | null;
  hourCost: string;
  dayCost: string;
}

/**
 * Whether any spend is left this hour and day. Ingestion refuses each event that would take the hour or day past
 * its limit, so it may refuse a costly event before the limit is reached; the entitlement says whether the limit
 * is reached (cost ≥ limit) and so nothing that costs can pass, as it does for the budget.
 */
export function spendLimitReached(spend: SpendState): boolean {
  const reached = (limit: string | null, cost: string) => limit !== null && new Dec(cost).greaterThanOrEqualTo(limit);
  return reached(spend.perHourLimit, spend.hourCost) || reached(spend.perDayLimit, spend.dayCost);
}

/**
 * When (ms) an answer of `spendLimitReached` stops holding without any usage: the end of the UTC hour whose cost
 * it read (starting at `hourStart`) for an hourly limit, else of its UTC day for a daily one; null without either.
 */
export function spendAnswerEnd(spend: Pick<SpendState, 'perHourLimit' | 'perDayLimit'>, hourStart: Date): number | null {
  const hour = hourStart.getTime();
  if (spend.perHourLimit !== null) return hour + HOUR_MS;
  if (spend.perDayLimit !== null) return Math.floor(hour / DAY_MS) * DAY_MS + DAY_MS;
  return null;
}

const denied = (feature: string, reason: EntitlementReason): Entitlement => ({
  feature,
  hasAccess: false,
  reason,
  config: null,
  metric: null,
  used: null,
  limit: null,
  remaining: null,
  unlimited: false,
});

/** A feature as the plan grants it, for Plan.features. */
export function planFeatureEntitlement(grant: FeatureGrant): Entitlement {
  return grant.enabled
    ? { ...denied(grant.feature, EntitlementReason.NOT_IN_PLAN), hasAccess: true, reason: null, config: grant.config }
    : { ...denied(grant.feature, EntitlementReason.FEATURE_DISABLED), config: grant.config };
}

/** The organisation's features as the usage access rules read them. */
const accessOf = (snapshot: EntitlementSnapshot): AccessContext => ({
  hasPlan: true,
  override: (code) => snapshot.overrides.get(code)?.enabled,
  planned: (code) => snapshot.features.get(code)?.enabled,
});

function metered(snapshot: EntitlementSnapshot, grant: MeteredGrant, override: FeatureGrant | undefined): Entitlement {
  const used = new Dec(grant.used);
  const remaining = grant.limit === null ? null : Dec.max(new Dec(grant.limit).minus(used), 0);
  // The rules ingestion refuses events by; with a charge, only an override or a feature gate can refuse.
  const refusal = meteredRefusal(grant.metric, grant, accessOf(snapshot));
  // A soft limit is billed as overage, so only a hard one closes access when it is reached.
  const reason = snapshot.closed
    ? EntitlementReason.ACCOUNT_CLOSED
    : refusal
      ? EntitlementReason.FEATURE_DISABLED
      : grant.hardLimit && remaining !== null && remaining.isZero()
        ? EntitlementReason.QUOTA_EXCEEDED
        : snapshot.budgetExhausted
          ? EntitlementReason.BUDGET_EXHAUSTED
          : snapshot.spendLimitReached
            ? EntitlementReason.SPEND_LIMIT
            : null;
  return {
    feature: grant.metric,
    hasAccess: reason === null,
    reason,
    config: override?.config ?? null,
    metric: grant.metric,
    used: used.toFixed(),
    limit: grant.limit,
    remaining: remaining?.toFixed() ?? null,
    unlimited: grant.limit === null,
  };
}

/**
 * One feature or metric: a metric the plan charges is metered access; otherwise
 * the override, else the plan, grants the feature, with the override's
 * configuration where it has one.
 */
export function resolveEntitlement(snapshot: EntitlementSnapshot, feature: string): Entitlement {
  const override = snapshot.overrides.get(feature);
  const charge = snapshot.metered.get(feature);
  if (charge) return metered(snapshot, charge, override);
  const planned = snapshot.features.get(feature);
  const grant = override ?? planned;
  if (!grant) return denied(feature, snapshot.closed ? EntitlementReason.ACCOUNT_CLOSED : EntitlementReason.NOT_IN_PLAN);
  const config = override?.config ?? planned?.config ?? null;
  const reason = snapshot.closed ? EntitlementReason.ACCOUNT_CLOSED : grant.enabled ? null : EntitlementReason.FEATURE_DISABLED;
  return { ...denied(feature, EntitlementReason.NOT_IN_PLAN), hasAccess: reason === null, reason, config };
}

/** Every feature the plan or an override names and every metric the plan charges, by code. */
export function resolveEntitlements(snapshot: EntitlementSnapshot): Entitlement[] {
  const codes = new Set([...snapshot.features.keys(), ...snapshot.overrides.keys(), ...snapshot.metered.keys()]);
  return [...codes].sort().map((code) => resolveEntitlement(snapshot, code));
}
