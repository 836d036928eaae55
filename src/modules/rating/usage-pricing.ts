import { Dec, ZERO } from '../../common/money/decimal';
import { Aggregation, isLevel } from '../metric/aggregation';
import type { ChargeRule } from './charge-rule';
import { costOfTotal, hasRateCard, marginalCost, unitPriceFor, type Dimensions } from './price-calculator';
import { usageLines, type LineMetric, type MetricTotal, type RateCell, type UsageCharge } from './usage-lines';

export interface PlannedUsage {
  metricId: string;
  quantity: Dec;
  dimensions: Dimensions;
}

export interface PricedMetric extends LineMetric {
  id: string;
  aggregation: Aggregation;
}

/**
 * Prices a month of usage under a plan's charges, the way ingestion would
 * have: rate-card entries in the order given (the first units are the
 * included ones), everything else from the month's total. Pure.
 */
export function priceUsage(
  planned: PlannedUsage[],
  charges: ReadonlyMap<string, ChargeRule>,
  metrics: ReadonlyMap<string, PricedMetric>,
): { lines: UsageCharge[]; warnings: string[] } {
  const warnings: string[] = [];
  const byMetric = new Map<string, PlannedUsage[]>();
  for (const entry of planned) byMetric.set(entry.metricId, [...(byMetric.get(entry.metricId) ?? []), entry]);
  const totals: MetricTotal[] = [];
  const cells = new Map<string, RateCell[]>();
  for (const [metricId, entries] of byMetric) {
    const metric = metrics.get(metricId)!;
    const charge = charges.get(metricId);
    // A level's planned entries are levels held at once (a daily-peak average planned is the month's average).
    let total =
      metric.aggregation === Aggregation.LATEST
        ? entries[entries.length - 1]!.quantity
        : isLevel(metric.aggregation)
          ? Dec.max(...entries.map((e) => e.quantity))
          : entries.reduce((sum, e) => sum.plus(e.quantity), ZERO);
    if (charge?.hardLimit && charge.limit !== null && total.greaterThan(charge.limit)) {
      warnings.push(
        `${metric.code}: ${total.toFixed()} ${metric.unit} is past the hard limit of ${charge.limit}; usage past it would be refused, not billed`,
      );
      total = new Dec(charge.limit);
    }
    if (!charge) {
      totals.push({ metricId, quantity: total, cost: ZERO });
      continue;
    }
    if (!hasRateCard(charge)) {
      totals.push({ metricId, quantity: total, cost: costOfTotal(charge, total) });
      continue;
    }
    let running = ZERO;
    let cost = ZERO;
    const metricCells: RateCell[] = [];
    for (const entry of entries) {
      const price = unitPriceFor(charge, entry.dimensions);
      if (price === null) {
        warnings.push(`${metric.code}: the plan has no price for ${JSON.stringify(entry.dimensions)}; such usage would be refused`);
        continue;
      }
      const after = Dec.min(running.plus(entry.quantity), total);
      const entryCost = marginalCost(charge, running, after, price);
      metricCells.push({ dimensions: entry.dimensions, quantity: after.minus(running), cost: entryCost });
      cost = cost.plus(entryCost);
      running = after;
    }
    cells.set(metricId, metricCells);
    totals.push({ metricId, quantity: running, cost });
  }
  return { lines: usageLines(totals, charges, metrics, cells), warnings };
}
