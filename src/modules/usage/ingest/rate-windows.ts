const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A plan's request rates: events accepted per clock minute and per clock hour (null: no limit). */
export interface RateTerms {
  requestsPerMinute: number | null;
  requestsPerHour: number | null;
}

/**
 * The minute window an accepted batch is counted in, or null when the plan limits no rate. Every node counts in
 * the same per-minute rows (usage_rate_windows); an hour's count is the sum of its minutes, so one row per
 * minute serves both limits.
 */
export function rateWindowOf(plan: RateTerms | undefined, now: Date): Date | null {
  if (!plan?.requestsPerMinute && !plan?.requestsPerHour) return null;
  return new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
}

/** The clock hour whose count the state query sums, or null when the plan has no hourly limit. */
export function rateHourOf(plan: RateTerms | undefined, now: Date): Date | null {
  return plan?.requestsPerHour ? new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS) : null;
}

/**
 * Events still allowed now (null: no limit), and when the window that allows fewest ends: a refusal may be
 * retried then. `minuteCount` and `hourCount` are what this minute and this hour accepted so far.
 */
export function rateAllowance(
  plan: RateTerms | undefined,
  minuteCount: number,
  hourCount: number,
  now: Date,
): { allowance: number | null; resetsAt: Date | null } {
  const minute = plan?.requestsPerMinute ? plan.requestsPerMinute - minuteCount : null;
  const hour = plan?.requestsPerHour ? plan.requestsPerHour - hourCount : null;
  if (minute === null && hour === null) return { allowance: null, resetsAt: null };
  const hourBinds = hour !== null && (minute === null || hour <= minute);
  const size = hourBinds ? HOUR_MS : MINUTE_MS;
  return {
    allowance: hourBinds ? hour : minute,
    resetsAt: new Date(Math.floor(now.getTime() / size) * size + size),
  };
}
