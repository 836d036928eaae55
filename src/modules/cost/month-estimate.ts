import { buildInvoice, type InvoiceDraft } from '../invoice/invoice-builder';
import type { PlanTerms } from '../rating/rating-catalog';
import { priceUsage, type PlannedUsage, type PricedMetric } from '../rating/usage-pricing';

/**
 * A planned month under a plan as its invoice would be: the base fee and the
 * priced usage, rounded per line. Nothing is due or credited: a what-if.
 * It lives here, not in rating, because it drafts an invoice and rating sits below invoice.
 */
export function priceMonth(
  terms: PlanTerms,
  planned: PlannedUsage[],
  metrics: ReadonlyMap<string, PricedMetric>,
  decimals: number,
): { draft: InvoiceDraft; warnings: string[] } {
  const { lines, warnings } = priceUsage(planned, terms.charges, metrics);
  const draft = buildInvoice({
    decimals,
    periodEnd: new Date(),
    paymentTermsDays: 0,
    baseFee: { planName: terms.plan.name, amount: terms.plan.basePriceAmount },
    usage: lines,
    items: [],
    grants: [],
  });
  return { draft, warnings };
}
