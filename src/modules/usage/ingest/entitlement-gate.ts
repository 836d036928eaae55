import { ErrorCode } from '../../../common/errors/error-code';
import {
  AccessRefusal,
  compileAllowList,
  dimensionRefusal,
  meteredRefusal,
  type AccessContext,
  type AllowList,
  type Refusal,
} from '../../entitlement/usage-access';
import type { PlanTerms } from '../../rating/rating-catalog';
import { RejectionReason, type NormalizedEvent, type Rejection } from './normalized-event';

const REASONS: Record<AccessRefusal, RejectionReason> = {
  [AccessRefusal.NOT_IN_PLAN]: RejectionReason.NOT_IN_PLAN,
  [AccessRefusal.DIMENSION_NOT_ALLOWED]: RejectionReason.DIMENSION_NOT_ALLOWED,
  [AccessRefusal.FEATURE_DISABLED]: RejectionReason.FEATURE_DISABLED,
};

/** A metric's standing for the whole batch: refused outright, or the allow-list its events must pass (null: none). */
type Verdict = { refusal: Refusal } | { allowList: AllowList | null };

/**
 * The events the organisation's plan allows; the others are added to `rejected`
 * with code NOT_ENTITLED and never reach pricing, so they are never billed. Each
 * metric's verdict is reached once per batch from the plan terms already loaded
 * and the overrides read with the ingest context: per event a map lookup and,
 * for an allow-listed charge, one set lookup per listed dimension.
 */
export function admitEntitled(
  events: NormalizedEvent[],
  terms: PlanTerms | null,
  overrides: ReadonlyMap<string, boolean>,
  rejected: Rejection[],
): NormalizedEvent[] {
  const context: AccessContext = {
    hasPlan: terms !== null,
    override: (code) => overrides.get(code),
    planned: (code) => terms?.features.get(code),
  };
  const verdicts = new Map<string, Verdict>();
  const verdictOf = (event: NormalizedEvent): Verdict => {
    let verdict = verdicts.get(event.metric.id);
    if (!verdict) {
      const charge = terms?.charges.get(event.metric.id);
      const refusal = meteredRefusal(event.metric.code, charge, context);
      verdict = refusal ? { refusal } : { allowList: charge?.allowedDimensions ? compileAllowList(charge.allowedDimensions) : null };
      verdicts.set(event.metric.id, verdict);
    }
    return verdict;
  };
  return events.filter((event) => {
    const verdict = verdictOf(event);
    const refusal =
      'refusal' in verdict
        ? verdict.refusal
        : verdict.allowList && dimensionRefusal(event.metric.code, verdict.allowList, event.dimensions);
    if (!refusal) return true;
    rejected.push({
      index: event.index,
      id: event.id,
      code: ErrorCode.NOT_ENTITLED,
      reason: REASONS[refusal.reason],
      message: refusal.message,
    });
    return false;
  });
}
