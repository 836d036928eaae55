import { Dec, roundMoney, ZERO } from '../../common/money/decimal';
import { PriceModel } from '../plan/price-model';
import type { ChargeRule } from './charge-rule';
import { unitPriceFor, type Dimensions } from './price-calculator';

/** A metric's usage in a period (or one rate-card price of it), cost unrounded: one invoice line. */
export interface UsageCharge {
  metric: string;
  description: string;
  quantity: Dec;
  unitPrice: string | null;
  cost: Dec;
}

export interface MetricTotal {
  metricId: string;
  quantity: Dec;
  cost: Dec;
}

/** Usage of a rate-card metric with one dimension set, or already grouped by the price that applied (label). */
export interface RateCell {
  dimensions: Dimensions;
  quantity: Dec;
  cost: Dec;
  label?: string;
  unitPrice?: string | null;
}

/** Which rate-card entry prices these dimensions, as the line label ("model gpt-4") and its price. */
export function priceLabel(charge: ChargeRule, dimensions: Dimensions): { label: string; price: string | null } {
  const price = unitPriceFor(charge, dimensions);
  const entry = (charge.dimensionPrices ?? []).find(
    (e) => e.unitPrice === price && Object.entries(e.dimensions).every(([k, v]) => String(dimensions[k]) === v),
  );
  const label = entry
    ? Object.entries(entry.dimensions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : 'other';
  return { label, price };
}

/** What a line says of its metric. */
export interface LineMetric {
  code: string;
  name: string;
  unit: string;
}

/**
 * The usage lines of a period, as invoices show them and as usage reports and
 * cost breakdowns total them: one per metric, or one per price of a rate card
 * (e.g. per model), in metric order. Costs stay exact; `lineAmount` rounds them.
 */
export function usageLines(
  totals: MetricTotal[],
  charges: ReadonlyMap<string, ChargeRule>,
  metrics: ReadonlyMap<string, LineMetric>,
  rateCells: ReadonlyMap<string, RateCell[]> | undefined,
): UsageCharge[] {
  const lines: UsageCharge[] = [];
  const sorted = [...totals].sort((a, b) => (metrics.get(a.metricId)?.code ?? '').localeCompare(metrics.get(b.metricId)?.code ?? ''));
  for (const total of sorted) {
    const metric = metrics.get(total.metricId);
    const charge = charges.get(total.metricId);
    if (!metric || (!charge && total.cost.isZero())) continue;
    const cells = rateCells?.get(total.metricId);
    if (charge && cells) {
      const byPrice = new Map<string, UsageCharge>();
      for (const cell of cells) {
        const { label, price } =
          cell.label !== undefined ? { label: cell.label, price: cell.unitPrice ?? null } : priceLabel(charge, cell.dimensions);
        const line = byPrice.get(label) ?? {
          metric: metric.code,
          description: `${metric.name} (${label})`,
          quantity: ZERO,
          unitPrice: price,
          cost: ZERO,
        };
        line.quantity = line.quantity.plus(cell.quantity);
        line.cost = line.cost.plus(cell.cost);
        byPrice.set(label, line);
      }
      lines.push(...[...byPrice.values()].sort((a, b) => a.description.localeCompare(b.description)));
      continue;
    }
    lines.push({
      metric: metric.code,
      description: describe(metric, charge),
      quantity: total.quantity,
      unitPrice: charge?.model === PriceModel.PER_UNIT ? charge.unitPrice : null,
      cost: total.cost,
    });
  }
  return lines;
}

/**
 * What a usage line bills: its exact cost rounded once, half up, to the
 * currency's minor unit. Invoices, estimates and usage reports all round here
 * and only sum rounded lines, so that they agree to the cent.
 */
export const lineAmount = (line: UsageCharge, decimals: number): string => roundMoney(line.cost, decimals);

/** Each metric's billed usage, by metric code: the sum of its lines' amounts, as its invoice will show it. */
export function billedByMetric(lines: readonly UsageCharge[], decimals: number): Map<string, string> {
  const sums = new Map<string, Dec>();
  for (const line of lines) sums.set(line.metric, (sums.get(line.metric) ?? ZERO).plus(lineAmount(line, decimals)));
  return new Map([...sums].map(([code, sum]) => [code, sum.toFixed(decimals)]));
}

function describe(metric: LineMetric, charge: ChargeRule | undefined): string {
  if (!charge) return metric.name;
  const included = charge.included ? `, ${charge.included} ${metric.unit} included` : '';
  switch (charge.model) {
    case PriceModel.PACKAGE:
      return `${metric.name} (${charge.packagePrice} per ${charge.packageSize} ${metric.unit}${included})`;
    case PriceModel.GRADUATED:
    case PriceModel.VOLUME:
      return `${metric.name} (${charge.model.toLowerCase()} tiers${included})`;
    case PriceModel.PER_UNIT:
      return `${metric.name}${included ? ` (${included.slice(2)})` : ''}`;
  }
}
