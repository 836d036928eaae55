import { minorUnits } from '../../common/money/currency';
import { Dec } from '../../common/money/decimal';
import { MONEY_BOUNDS, parseBoundedDecimal } from '../../common/money/decimal-bounds';
import { Money } from '../../common/money/money.type';
import { AlertSeverity } from '../alert/alert-severity';
import type { StoredSpendControls } from '../usage/ingest/spend-guard';
import type { SpendControls, SpendControlsInput } from './dto/spend-controls.types';
import { SpendControlError, SpendControlErrorReason } from './spend-control.error';

/** The budget alert thresholds every organisation starts with (its default cost rules), in percent. */
export const DEFAULT_THRESHOLDS: readonly number[] = [50, 80, 95];
export const MAX_THRESHOLDS = 10;

const AMOUNTS = ['monthlyBudget', 'perEventLimit', 'perHourLimit', 'perDayLimit'] as const;

/** An amount of the input: bounded as money, above 0 and no finer than the currency's minor unit. */
function parseAmount(value: string, field: string, currency: string): string {
  const amount = parseBoundedDecimal(value, field, MONEY_BOUNDS);
  if (!amount.greaterThan(0)) throw new SpendControlError(SpendControlErrorReason.INVALID_AMOUNT, `${field} must be above 0`);
  const decimals = minorUnits(currency);
  if (amount.decimalPlaces() > decimals) {
    throw new SpendControlError(
      SpendControlErrorReason.INVALID_AMOUNT,
      `${field} has more decimals than the currency's minor unit (${decimals} for ${currency})`,
    );
  }
  return amount.toFixed();
}

/**
 * The controls after `input`: a field left out keeps its current value, null resets it. Checks every amount,
 * and that auto-pause has a budget to pause at (the controls' or the plan's).
 */
export function mergeControls(
  current: StoredSpendControls | null,
  input: SpendControlsInput,
  currency: string,
  plan: { monthlyBudget: string | null } | null,
): StoredSpendControls {
  const merged: StoredSpendControls = current
    ? { ...current }
    : { monthlyBudget: null, autoPause: null, perEventLimit: null, perHourLimit: null, perDayLimit: null };
  for (const field of AMOUNTS) {
    const value = input[field];
    if (value !== undefined) merged[field] = value === null ? null : parseAmount(value, field, currency);
  }
  if (input.autoPause !== undefined) merged.autoPause = input.autoPause;
  if (merged.autoPause && (merged.monthlyBudget ?? plan?.monthlyBudget ?? null) === null) {
    throw new SpendControlError(SpendControlErrorReason.NO_BUDGET, 'autoPause needs a monthlyBudget: the plan has none');
  }
  return merged;
}

/** The thresholds as kept: each 1 to 1000 %, once, at most MAX_THRESHOLDS, lowest first; null: the defaults. */
export function checkThresholds(thresholds: readonly number[] | null): number[] {
  if (thresholds === null) return [...DEFAULT_THRESHOLDS];
  const bad = thresholds.find((t) => !Number.isInteger(t) || t < 1 || t > 1000);
  if (bad !== undefined) {
    throw new SpendControlError(SpendControlErrorReason.INVALID_THRESHOLDS, `alertThresholds must be 1 to 1000 (percent), got ${bad}`);
  }
  if (new Set(thresholds).size !== thresholds.length) {
    throw new SpendControlError(SpendControlErrorReason.INVALID_THRESHOLDS, 'alertThresholds repeats a percentage');
  }
  if (thresholds.length > MAX_THRESHOLDS) {
    throw new SpendControlError(SpendControlErrorReason.INVALID_THRESHOLDS, `alertThresholds holds at most ${MAX_THRESHOLDS} percentages`);
  }
  return [...thresholds].sort((a, b) => a - b);
}

/**
 * How the budget alert rules become `wanted`: a rule whose percentage stays is kept as it is, so the alerts it
 * raised this period (deduplicated by rule) are not raised again; the others are removed, the missing added.
 */
export function thresholdChanges(
  existing: ReadonlyArray<{ id: string; percent: number }>,
  wanted: readonly number[],
): { remove: string[]; add: number[] } {
  const keep = new Set(wanted);
  const have = new Set(existing.map((r) => r.percent));
  return {
    remove: existing.filter((r) => !keep.has(r.percent)).map((r) => r.id),
    add: wanted.filter((p) => !have.has(p)),
  };
}

/** A budget rule's severity, as the defaults have it: INFO below 80 %, WARNING below 95 %, CRITICAL from 95 %. */
export const thresholdSeverity = (percent: number): AlertSeverity =>
  percent < 80 ? AlertSeverity.INFO : percent < 95 ? AlertSeverity.WARNING : AlertSeverity.CRITICAL;

/** The controls as they apply: each unset one takes the plan's value, amounts in the organisation's currency. */
export function spendControlsView(
  controls: StoredSpendControls | null,
  plan: { monthlyBudget: string | null; autoPauseAtBudget: boolean } | null,
  thresholds: readonly number[],
  spent: string,
  currency: string,
): SpendControls {
  const money = (amount: string | null) => (amount === null ? null : Money.rounded(amount, currency));
  const budget = controls?.monthlyBudget ?? plan?.monthlyBudget ?? null;
  return {
    monthlyBudget: money(budget),
    autoPause: controls?.autoPause ?? plan?.autoPauseAtBudget ?? false,
    alertThresholds: [...thresholds],
    perEventLimit: money(controls?.perEventLimit ?? null),
    perHourLimit: money(controls?.perHourLimit ?? null),
    perDayLimit: money(controls?.perDayLimit ?? null),
    spentThisPeriod: Money.rounded(spent, currency),
    remainingBudget: budget === null ? null : Money.rounded(Dec.max(new Dec(budget).minus(spent), 0), currency),
  };
}
