/** The rules a feature code and its static configuration follow, on plans and on per-organisation overrides alike. */

/** Like plan and metric codes, so a metric's code also names its metered entitlement. */
export const FEATURE_CODE = /^[a-z][a-z0-9_]{0,62}$/;
export const MAX_FEATURES_PER_PLAN = 100;
/** Bytes of a feature's configuration as JSON: static values, not documents. */
export const MAX_FEATURE_CONFIG_BYTES = 4096;

export interface FeatureGrant {
  feature: string;
  enabled: boolean;
  config: Record<string, unknown> | null;
}

/** Why a feature code is refused, or null. */
export function featureCodeProblem(feature: string): string | null {
  return FEATURE_CODE.test(feature)
    ? null
    : `feature "${feature.slice(0, 70)}" must be lower-case letters, digits and underscores (max 63)`;
}

/** Why a feature's configuration is refused, or null: a JSON object of bounded size. */
export function featureConfigProblem(feature: string, config: unknown): string | null {
  if (config == null) return null;
  if (typeof config !== 'object' || Array.isArray(config)) return `feature "${feature}": config must be a JSON object, e.g. {"limit": 20}`;
  if (Buffer.byteLength(JSON.stringify(config)) > MAX_FEATURE_CONFIG_BYTES) {
    return `feature "${feature}": config is larger than ${MAX_FEATURE_CONFIG_BYTES} bytes`;
  }
  return null;
}
