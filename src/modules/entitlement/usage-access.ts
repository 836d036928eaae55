import type { AllowedDimensions } from '../plan/charge-access';
import type { Dimensions } from '../rating/price-calculator';

/**
 * May the organisation record this usage at all? The rules ingestion refuses
 * events by and the metered entitlements answer by, kept in one place so that
 * `entitlement(org, metric)` and `recordUsage` never disagree.
 */

export enum AccessRefusal {
  /** The plan has no charge for the metric (or the organisation has no plan). */
  NOT_IN_PLAN = 'NOT_IN_PLAN',
  /** A dimension value outside the charge's allow-list, or a listed dimension missing. */
  DIMENSION_NOT_ALLOWED = 'DIMENSION_NOT_ALLOWED',
  /** An override withdrew the metric, or the feature that gates its charge is off. */
  FEATURE_DISABLED = 'FEATURE_DISABLED',
}

export interface Refusal {
  reason: AccessRefusal;
  message: string;
}

/** A feature is on when its override says so, else when the plan enables it; one that neither names is off. */
export function featureEnabled(override: boolean | undefined, planned: boolean | undefined): boolean {
  return override ?? planned ?? false;
}

/** What the access rules need of the organisation: its plan (if any) and its features as plan and overrides set them. */
export interface AccessContext {
  hasPlan: boolean;
  /** Whether the feature (or a metric's code) has an override, and which way: undefined when none. */
  override(code: string): boolean | undefined;
  /** Whether the plan names the feature, and enables it: undefined when it does not name it. */
  planned(code: string): boolean | undefined;
}

/** Why the metric may not be recorded at all, whatever the event's dimensions, or null. */
export function meteredRefusal(
  metric: string,
  charge: { requiresFeature?: string | null } | undefined,
  context: AccessContext,
): Refusal | null {
  if (!charge) {
    return {
      reason: AccessRefusal.NOT_IN_PLAN,
      message: context.hasPlan
        ? `The organization's plan does not include ${metric}; its usage is not recorded`
        : `The organization has no plan, so no usage (here ${metric}) is recorded`,
    };
  }
  if (context.override(metric) === false) {
    return { reason: AccessRefusal.FEATURE_DISABLED, message: `${metric} is withdrawn from this organization by an override` };
  }
  const gate = charge.requiresFeature;
  if (gate && !featureEnabled(context.override(gate), context.planned(gate))) {
    return {
      reason: AccessRefusal.FEATURE_DISABLED,
      message: `${metric} needs the feature "${gate}", which the organization's plan does not include or enable`,
    };
  }
  return null;
}

/** An allow-list ready for lookups: each listed dimension with its values as a set. */
export type AllowList = ReadonlyArray<readonly [string, ReadonlySet<string>]>;

export function compileAllowList(allowed: AllowedDimensions): AllowList {
  return Object.entries(allowed).map(([key, values]) => [key, new Set(values)] as const);
}

const shown = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
const listed = (values: ReadonlySet<string>): string => [...values].slice(0, 10).join(', ') + (values.size > 10 ? ', …' : '');

/** Why the event's dimensions fall outside the allow-list, or null. Values compare as text, as rate cards match them. */
export function dimensionRefusal(metric: string, allowList: AllowList, dimensions: Dimensions): Refusal | null {
  for (const [key, values] of allowList) {
    const value = Object.hasOwn(dimensions, key) ? String(dimensions[key]) : undefined;
    if (value !== undefined && values.has(value)) continue;
    return {
      reason: AccessRefusal.DIMENSION_NOT_ALLOWED,
      message:
        value === undefined
          ? `${metric} is recorded only with the dimension "${key}" set to one of: ${listed(values)}`
          : `The organization's plan does not allow ${metric} with ${key} ${shown(value)}; allowed: ${listed(values)}`,
    };
  }
  return null;
}
