import type { DataSource } from 'typeorm';
import { CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { minorUnits } from '../../common/money/currency';
import { parseBoundedDecimal, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';
import { Money } from '../../common/money/money.type';
import { Plan } from '../plan/plan.entity';
import { normalizeDimensions } from '../usage/ingest/event-validator';
import type { RatingCatalog } from '../rating/rating-catalog';
import type { CostEstimate, PlannedUsageInput } from './dto/estimate.types';
import { priceMonth } from './month-estimate';

const MAX_ENTRIES = 1000;

/** The cost calculator: a planned month priced under a plan, nothing recorded. */
export class EstimateService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
  ) {}

  async estimate(planCode: string, usage: PlannedUsageInput[]): Promise<CostEstimate> {
    const plan = await this.db.getRepository(Plan).findOneBy({ code: planCode });
    if (!plan) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `No plan has the code "${planCode}"`);
    if (usage.length > MAX_ENTRIES) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `At most ${MAX_ENTRIES} usage entries`);
    const definitions = await this.catalog.metricsFor(usage.map((u) => u.metric));
    // A month's totals, not events: a known metric, a number of at least 0, flat dimensions. No event keys
    // (a distinct-count or session metric's total needs no user or session key).
    const planned = usage.map((entry, index) => {
      const invalid = (message: string) => new CommonError(CommonErrorReason.INVALID_ARGUMENT, `usage[${index}]: ${message}`);
      const metric = definitions.get(entry.metric);
      if (!metric) throw invalid(`No metric has the code "${entry.metric}"`);
      const quantity = parseBoundedDecimal(entry.quantity, `usage[${index}].quantity`, QUANTITY_BOUNDS);
      if (quantity.isNegative()) throw invalid('quantity must be at least 0');
      const dimensions = normalizeDimensions(entry.dimensions);
      if (typeof dimensions === 'string') throw invalid(dimensions);
      return { metricId: metric.id, quantity, dimensions };
    });
    const terms = await this.catalog.planTerms(plan.id);
    const metrics = await this.catalog.metricsWithIds([...planned.map((p) => p.metricId), ...terms.charges.keys()]);
    const { draft, warnings } = priceMonth(terms, planned, metrics, minorUnits(plan.currency));
    return {
      plan,
      lines: draft.lines.map((l) => ({
        description: l.description,
        metric: l.metric,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        amount: Money.of(l.amount, plan.currency),
      })),
      total: Money.of(draft.total, plan.currency),
      warnings,
    };
  }
}
