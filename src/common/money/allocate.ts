import { Dec, ZERO } from './decimal';

/**
 * Splits `total` (a rounded amount) across parts in proportion to `weights`,
 * in whole minor units, by the largest-remainder method: every part is
 * rounded and the parts still sum exactly to the total.
 */
export function allocate(total: Dec, weights: Dec[], decimals: number): Dec[] {
  const weightSum = weights.reduce((sum, w) => sum.plus(w), ZERO);
  const unit = new Dec(10).pow(-decimals);
  if (weights.length === 0) return [];
  if (weightSum.isZero()) {
    // Nothing to weigh by: the first part carries the (usually zero) total.
    return weights.map((_, i) => (i === 0 ? total : ZERO));
  }
  const exact = weights.map((w) => total.times(w).div(weightSum));
  const floors = exact.map((x) => x.div(unit).floor().times(unit));
  let left = total
    .minus(floors.reduce((sum, f) => sum.plus(f), ZERO))
    .div(unit)
    .round()
    .toNumber();
  const order = exact
    .map((x, i) => ({ i, remainder: x.minus(floors[i]!) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.i - b.i);
  const result = [...floors];
  for (const { i } of order) {
    if (left <= 0) break;
    result[i] = result[i]!.plus(unit);
    left -= 1;
  }
  return result;
}
