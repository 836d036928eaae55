import type { DataSource } from 'typeorm';
import { CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { minorUnits } from '../../common/money/currency';
import { parseDecimalInput } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { buildInvoice } from '../invoice/invoice-builder';
import { Plan } from '../plan/plan.entity';
import { validateEvent } from '../usage/ingest/event-validator';
import type { UsageCatalog } from '../usage/usage-catalog';
import type { CostEstimate, PlannedUsageInput } from './dto/estimate.types';
import { priceUsage } from './pricing';

const MAX_ENTRIES = 1000;

/** The cost calculator of seed 000: a planned month priced under a plan, nothing recorded. */
export class EstimateService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: UsageCatalog,
  ) {}

  async estimate(planCode: string, usage: PlannedUsageInput[]): Promise<CostEstimate> {
    const plan = await this.db.getRepository(Plan).findOneBy({ code: planCode });
    if (!plan) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `No plan has the code "${planCode}"`);
    if (usage.length > MAX_ENTRIES) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `At most ${MAX_ENTRIES} usage entries`);
    const definitions = await this.catalog.metricsFor(usage.map((u) => u.metric));
    const metrics = new Map((await this.catalog.allMetrics()).map((m) => [m.id, m]));
    // The same checks as ingestion: known metric, non-negative number, flat dimensions.
    const planned = usage.map((entry, index) => {
      const checked = validateEvent(
        { id: `estimate-${index}`, metric: entry.metric, quantity: entry.quantity, dimensions: entry.dimensions },
        index,
        definitions,
        new Date(),
      );
      if ('reason' in checked) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `usage[${index}]: ${checked.message}`);
      return { metricId: checked.metric.id, quantity: parseDecimalInput(entry.quantity, 'quantity'), dimensions: checked.dimensions };
    });
    const terms = await this.catalog.planTerms(plan.id);
    const { lines, warnings } = priceUsage(planned, terms.charges, metrics);
    const decimals = minorUnits(plan.currency);
    const draft = buildInvoice({
      decimals,
      periodEnd: new Date(),
      paymentTermsDays: plan.paymentTermsDays,
      baseFee: { planName: plan.name, amount: plan.basePriceAmount },
      usage: lines,
      items: [],
      grants: [],
    });
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
