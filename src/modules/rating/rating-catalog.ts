import type { DataSource, EntityManager } from 'typeorm';
import type { MetricDefinition } from '../metric/metric-definition';
import { Metric } from '../metric/metric.entity';
import { PlanCharge } from '../plan/plan-charge.entity';
import { PlanFeature } from '../plan/plan-feature.entity';
import { Plan } from '../plan/plan.entity';
import type { ChargeRule } from './charge-rule';

export interface PlanTerms {
  plan: Plan;
  /** By metric id. */
  charges: Map<string, ChargeRule>;
  /** Whether the plan enables each feature it names, by code. */
  features: ReadonlyMap<string, boolean>;
}

/**
 * The metrics and the plans' charges that rating prices usage by. Metrics and
 * plans are created, never edited, so each node keeps them in memory without
 * invalidation. What other nodes created since this one last read the table
 * is missing here, so every lookup names the codes or ids it needs and reads
 * the table again when one is missing: no caller can see a partial catalogue.
 * (A report once skipped a metric created on another node, and answered 0.00
 * on the first read of a node and the right total on the next.)
 */
export class RatingCatalog {
  private metricsByCode = new Map<string, MetricDefinition>();
  private metricsById = new Map<string, Metric>();
  private plans = new Map<string, PlanTerms>();

  constructor(private readonly db: DataSource) {}

  async metricsFor(codes: Iterable<string>, manager: EntityManager = this.db.manager): Promise<ReadonlyMap<string, MetricDefinition>> {
    if ([...codes].some((code) => !this.metricsByCode.has(code))) await this.reloadMetrics(manager);
    return this.metricsByCode;
  }

  async metricById(id: string): Promise<Metric | undefined> {
    if (!this.metricsById.has(id)) await this.reloadMetrics(this.db.manager);
    return this.metricsById.get(id);
  }

  /** Every metric, read again: only the table knows whether another node created one. */
  async allMetrics(): Promise<Metric[]> {
    await this.reloadMetrics(this.db.manager);
    return [...this.metricsById.values()];
  }

  /** Metrics by id, holding at least `ids` that exist: for lookups on hot paths, without copying the catalogue. */
  async metricsWithIds(ids: Iterable<string>): Promise<ReadonlyMap<string, Metric>> {
    for (const id of ids) {
      if (!this.metricsById.has(id)) {
        await this.reloadMetrics(this.db.manager);
        break;
      }
    }
    return this.metricsById;
  }

  async planTerms(planId: string, manager: EntityManager = this.db.manager): Promise<PlanTerms> {
    const cached = this.plans.get(planId);
    if (cached) return cached;
    const plan = await manager.getRepository(Plan).findOneByOrFail({ id: planId });
    const rows = await manager.getRepository(PlanCharge).findBy({ planId });
    const features = await manager.getRepository(PlanFeature).findBy({ planId });
    const terms: PlanTerms = {
      plan,
      charges: new Map(
        rows.map((c) => [
          c.metricId,
          {
            model: c.model,
            included: c.included,
            limit: c.limit,
            hardLimit: c.hardLimit,
            unitPrice: c.unitPrice,
            packageSize: c.packageSize,
            packagePrice: c.packagePrice,
            tiers: c.tiers,
            dimensionPrices: c.dimensionPrices,
            allowedDimensions: c.allowedDimensions,
            requiresFeature: c.requiresFeature,
          },
        ]),
      ),
      features: new Map(features.map((f) => [f.feature, f.enabled])),
    };
    this.plans.set(planId, terms);
    return terms;
  }

  private async reloadMetrics(manager: EntityManager): Promise<void> {
    const metrics = await manager.getRepository(Metric).find();
    this.metricsById = new Map(metrics.map((m) => [m.id, m]));
    this.metricsByCode = new Map(
      metrics.map((m) => [
        m.code,
        {
          id: m.id,
          code: m.code,
          aggregation: m.aggregation,
          uniqueBy: m.uniqueBy,
          eventRounding: m.eventRounding,
          sessionIdleMinutes: m.sessionIdleMinutes,
          sessionKey: m.sessionKey,
        },
      ]),
    );
  }
}
