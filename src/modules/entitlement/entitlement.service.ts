import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { organizationNotFound } from '../../common/errors/common-error';
import { Dec } from '../../common/money/decimal';
import { announceChanges } from '../../common/pubsub/announce';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { monthPeriod } from '../../common/time/billing-period';
import { organizationNow } from '../../common/time/organization-clock';
import { featureCodeProblem, featureConfigProblem, type FeatureGrant } from '../plan/plan-features';
import type { RatingCatalog } from '../rating/rating-catalog';
import type { FeatureOverrideInput } from './dto/feature-override.input';
import { PerOrganizationCache, type Expiring } from './entitlement-cache';
import {
  resolveEntitlement,
  resolveEntitlements,
  spendAnswerEnd,
  spendLimitReached,
  type EntitlementSnapshot,
  type MeteredGrant,
} from './entitlement-rules';
import { EntitlementError, EntitlementErrorReason } from './entitlement.error';
import { EntitlementStore } from './entitlement.store';
import type { Entitlement } from './entitlement.types';
import { FeatureOverride } from './feature-override.entity';

/** Codes whose answers are remembered per organisation snapshot. */
const MAX_ANSWERS = 256;

/** Announced on the usage bus when every organisation may have changed at once (a billing cycle over all of them). */
export const ALL_ORGANIZATIONS = '*';

/**
 * "May this organisation do this?", answered from a per-node cache of each
 * organisation's snapshot (plan features, overrides, the period's usage). The
 * usage bus drops an organisation's entry on every node when its usage, plan,
 * overrides or account change, and an entry of a real-time organisation expires
 * at its period's end, or sooner at the end of the UTC hour or day whose spend
 * it read for a spend limit; a simulated clock's organisation is read every
 * time, as its clock moves without an announcement.
 */
export class EntitlementService {
  private readonly store: EntitlementStore;
  private readonly snapshots: PerOrganizationCache<EntitlementSnapshot>;
  // Plans are created, never edited, so their features are kept for good.
  private readonly planFeatures = new Map<string, Promise<FeatureGrant[]>>();
  // An answer depends on the snapshot and the code only, so it is worked out once per snapshot: the check is
  // asked before every request a platform serves, mostly about the same few codes.
  private readonly answers = new WeakMap<EntitlementSnapshot, Map<string, Entitlement>>();

  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
    private readonly bus: ChangeBus,
  ) {
    this.store = new EntitlementStore(db);
    this.snapshots = new PerOrganizationCache((organizationId) => this.read(organizationId));
    bus.onChange((organizationId) => this.forget(organizationId));
  }

  async entitlements(principal: Principal, organizationIdInput: string): Promise<Entitlement[]> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    return resolveEntitlements(await this.snapshots.get(organizationId));
  }

  async entitlement(principal: Principal, organizationIdInput: string, feature: string): Promise<Entitlement> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    const problem = featureCodeProblem(feature);
    if (problem) throw new EntitlementError(EntitlementErrorReason.INVALID_FEATURE, problem);
    return this.answer(await this.snapshots.get(organizationId), feature);
  }

  /** The features a plan grants, as it grants them. */
  async featuresOf(planId: string): Promise<FeatureGrant[]> {
    let features = this.planFeatures.get(planId);
    if (!features) {
      features = this.store.planFeatures(planId);
      this.planFeatures.set(planId, features);
      features.catch(() => this.planFeatures.delete(planId));
    }
    return features;
  }

  async setOverride(principal: Principal, input: FeatureOverrideInput): Promise<Entitlement> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_ORGANIZATIONS, input.organizationId);
    const problem = featureCodeProblem(input.feature);
    if (problem) throw new EntitlementError(EntitlementErrorReason.INVALID_FEATURE, problem);
    const configProblem = featureConfigProblem(input.feature, input.config);
    if (configProblem) throw new EntitlementError(EntitlementErrorReason.INVALID_CONFIG, configProblem);
    // Usage needs a charge to be priced, so an override may withdraw a metric but never grant one (ingestion would refuse it).
    if (input.enabled && (await this.catalog.metricsFor([input.feature])).has(input.feature)) {
      throw new EntitlementError(
        EntitlementErrorReason.INVALID_FEATURE,
        `"${input.feature}" is a metric: an override can withdraw its metered access (enabled: false) but not grant it; ` +
          'remove the override, or put the organisation on a plan that charges it',
      );
    }
    await this.assertOrganization(organizationId);
    await this.db.getRepository(FeatureOverride).upsert(
      {
        organizationId,
        feature: input.feature,
        enabled: input.enabled,
        config: (input.config as Record<string, unknown> | null) ?? null,
      },
      ['organizationId', 'feature'],
    );
    await this.announce(organizationId);
    return resolveEntitlement(await this.snapshots.get(organizationId), input.feature);
  }

  async removeOverride(principal: Principal, organizationIdInput: string, feature: string): Promise<Entitlement> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_ORGANIZATIONS, organizationIdInput);
    const problem = featureCodeProblem(feature);
    if (problem) throw new EntitlementError(EntitlementErrorReason.INVALID_FEATURE, problem);
    await this.assertOrganization(organizationId);
    const { affected } = await this.db.getRepository(FeatureOverride).delete({ organizationId, feature });
    if (!affected) throw new EntitlementError(EntitlementErrorReason.NO_OVERRIDE, `Feature "${feature}" has no override here`);
    await this.announce(organizationId);
    return resolveEntitlement(await this.snapshots.get(organizationId), feature);
  }

  /** Tells every node (this one at once) that the organisation's entitlements changed; for writers outside ingest. */
  async announce(organizationId: string): Promise<void> {
    this.forget(organizationId);
    await announceChanges(this.bus, this.db, [organizationId]);
  }

  /**
   * Drops the organisation's entry on this node only, for writes whose own announcement reaches the other nodes
   * (ingest): the writer's node then answers its own write at once, not when its NOTIFY comes back.
   */
  forget(organizationId: string): void {
    if (organizationId === ALL_ORGANIZATIONS) this.snapshots.clear();
    else this.snapshots.invalidate(organizationId);
  }

  /** The snapshot's answer for a code, remembered for at most MAX_ANSWERS codes (callers may ask any code at all). */
  private answer(snapshot: EntitlementSnapshot, feature: string): Entitlement {
    let answers = this.answers.get(snapshot);
    if (!answers) this.answers.set(snapshot, (answers = new Map()));
    let answer = answers.get(feature);
    if (!answer) {
      answer = resolveEntitlement(snapshot, feature);
      if (answers.size < MAX_ANSWERS) answers.set(feature, answer);
    }
    return answer;
  }

  private async assertOrganization(organizationId: string): Promise<void> {
    if (!(await this.store.organization(organizationId))) throw organizationNotFound(organizationId);
  }

  private async read(organizationId: string): Promise<Expiring<EntitlementSnapshot>> {
    const row = await this.store.organization(organizationId);
    if (!row) throw organizationNotFound(organizationId);
    const terms = row.plan_id ? await this.catalog.planTerms(row.plan_id) : null;
    const usage = new Map(row.totals.map(([metricId, quantity, cost]) => [metricId, { quantity, cost }]));
    const metered = new Map<string, MeteredGrant>();
    for (const [metricId, charge] of terms?.charges ?? []) {
      const metric = await this.catalog.metricById(metricId);
      if (!metric) continue;
      metered.set(metric.code, {
        metric: metric.code,
        limit: charge.limit,
        hardLimit: charge.hardLimit,
        used: usage.get(metricId)?.quantity ?? '0',
        requiresFeature: charge.requiresFeature ?? null,
      });
    }
    const cost = row.totals.reduce((sum, [, , c]) => sum.plus(c), new Dec(0));
    const plan = terms?.plan;
    // The spend controls' budget and auto-pause, where set, as ingestion applies them.
    const budget = row.controls?.[0] ?? plan?.monthlyBudget ?? null;
    const autoPause = row.controls?.[1] ?? plan?.autoPauseAtBudget ?? false;
    // The hourly and daily spend limits, read only where one is set.
    const spend =
      row.controls && row.spend
        ? {
            perHourLimit: row.controls[2],
            perDayLimit: row.controls[3],
            hourStart: new Date(row.spend[0]),
            hourCost: row.spend[1],
            dayCost: row.spend[2],
          }
        : null;
    const snapshot: EntitlementSnapshot = {
      closed: row.closed,
      features: new Map((row.plan_id ? await this.featuresOf(row.plan_id) : []).map((f) => [f.feature, f])),
      overrides: new Map(row.overrides.map(([feature, enabled, config]) => [feature, { feature, enabled, config }])),
      metered,
      budgetExhausted: autoPause && budget !== null && cost.greaterThanOrEqualTo(budget),
      spendLimitReached: spend !== null && spendLimitReached(spend),
    };
    const periodEnd = monthPeriod(organizationNow(row)).end.getTime();
    // By the hour the costs were read for (the query's clock, not this one's), so a read at an hour's edge is not kept.
    const spendEnd = spend && spendAnswerEnd(spend, spend.hourStart);
    return { value: snapshot, expiresAt: row.testClockAt ? 0 : Math.min(periodEnd, spendEnd ?? periodEnd) };
  }
}
