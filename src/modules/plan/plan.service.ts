import Decimal from 'decimal.js';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { namedStatement } from '../../common/database/pg-array';
import { assertId, organizationNotFound } from '../../common/errors/common-error';
import { isCurrency, minorUnits } from '../../common/money/currency';
import { MONEY_BOUNDS, parseBoundedDecimal, PRICE_BOUNDS, QUANTITY_BOUNDS, type DecimalBounds } from '../../common/money/decimal-bounds';
import { Metric } from '../metric/metric.entity';
import { BaseFeeTiming } from './base-fee-timing';
import type { CreatePlanInput, PlanChargeInput, PlanFeatureInput } from './dto/create-plan.input';
import type { DimensionPrice, Tier } from './dto/plan-charge.types';
import { availablePlans } from './plan-availability';
import { PlanChangePolicy } from './plan-change-policy';
import { PlanCharge } from './plan-charge.entity';
import { PlanFeature } from './plan-feature.entity';
import { parseAllowedDimensions } from './charge-access';
import { featureCodeProblem, featureConfigProblem, MAX_FEATURES_PER_PLAN, type FeatureGrant } from './plan-features';
import { BillingInterval, Plan } from './plan.entity';
import { PlanError, PlanErrorReason } from './plan.error';
import { PriceModel } from './price-model';

const CODE = /^[a-z][a-z0-9_]{0,62}$/;

const ORGANIZATION_EXISTS = namedStatement(['organizationId'], (p) => `SELECT 1 FROM organizations WHERE id = ${p.organizationId}`);

type PlanRow = Omit<Plan, 'id' | 'createdAt'>;
type AccessFields = 'allowedDimensions' | 'requiresFeature';
/** A charge's gates are set only when given (the columns default to null). */
type ChargeRow = Omit<PlanCharge, 'id' | 'planId' | 'plan' | 'metric' | AccessFields> & Partial<Pick<PlanCharge, AccessFields>>;

function amount(
  value: string | null | undefined,
  field: string,
  bounds: DecimalBounds,
  options: { positive?: boolean; maxDecimals?: number } = {},
): string | null {
  if (value == null) return null;
  const d = parseBoundedDecimal(value, field, bounds);
  if (d.isNegative() || (options.positive && d.isZero())) {
    throw new PlanError(PlanErrorReason.INVALID_AMOUNT, `${field} must be ${options.positive ? 'greater than' : 'at least'} 0`);
  }
  if (options.maxDecimals !== undefined && d.decimalPlaces() > options.maxDecimals) {
    throw new PlanError(
      PlanErrorReason.INVALID_AMOUNT,
      `${field} has more decimals than the currency's minor unit (${options.maxDecimals})`,
    );
  }
  return d.toFixed();
}

export class PlanService {
  constructor(private readonly db: DataSource) {}

  /** The catalog, and the caller's own custom plans; platform admins see every plan. */
  list(principal: Principal): Promise<Plan[]> {
    return this.db.getRepository(Plan).find({
      where: isPlatformAdmin(principal) ? {} : availablePlans(principal.organizationId),
      order: { basePriceAmount: 'ASC', code: 'ASC' },
    });
  }

  async create(principal: Principal, input: CreatePlanInput): Promise<Plan> {
    assertCan(principal, Permission.MANAGE_CATALOG);
    const codes = [...new Set(input.charges.map((c) => c.metric))];
    const metrics = codes.length ? await this.db.getRepository(Metric).findBy({ code: In(codes) }) : [];
    const { plan, charges, features } = PlanService.validate(input, new Map(metrics.map((m) => [m.code, m.id])));
    if (plan.organizationId) await this.assertOrganizationExists(plan.organizationId);
    return this.db.transaction(async (tx) => {
      const inserted = await tx.getRepository(Plan).createQueryBuilder().insert().values(plan).orIgnore().returning('id').execute();
      const id = (inserted.raw as Array<{ id: string }>)[0]?.id;
      if (!id) throw new PlanError(PlanErrorReason.DUPLICATE_CODE, `A plan with the code "${plan.code}" exists already`);
      if (charges.length) await tx.getRepository(PlanCharge).insert(charges.map((charge) => ({ ...charge, planId: id })));
      if (features.length) await tx.getRepository(PlanFeature).insert(features.map((feature) => ({ ...feature, planId: id })));
      return tx.getRepository(Plan).findOneByOrFail({ id });
    });
  }

  /** Checks a plan and its charges and returns rows to insert; pure, so the rules are unit-tested directly. */
  static validate(
    input: CreatePlanInput,
    metricIds: ReadonlyMap<string, string>,
  ): { plan: PlanRow; charges: ChargeRow[]; features: FeatureGrant[] } {
    if (!CODE.test(input.code))
      throw new PlanError(PlanErrorReason.INVALID_CODE, 'code must be lower-case letters, digits and underscores (max 63)');
    const name = input.name.trim();
    if (!name || name.length > 200) throw new PlanError(PlanErrorReason.INVALID_NAME, 'name must be 1 to 200 characters');
    if (!isCurrency(input.currency))
      throw new PlanError(PlanErrorReason.INVALID_CURRENCY, `"${input.currency}" is not an ISO 4217 currency code`);
    const decimals = minorUnits(input.currency);
    const terms = input.paymentTermsDays ?? 0;
    if (!Number.isInteger(terms) || terms < 0 || terms > 365)
      throw new PlanError(PlanErrorReason.INVALID_LIMITS, 'paymentTermsDays must be 0 to 365');
    if (input.requestsPerMinute != null && input.requestsPerMinute < 1) {
      throw new PlanError(PlanErrorReason.INVALID_LIMITS, 'requestsPerMinute must be at least 1');
    }
    if (input.requestsPerHour != null && input.requestsPerHour < 1) {
      throw new PlanError(PlanErrorReason.INVALID_LIMITS, 'requestsPerHour must be at least 1');
    }
    const monthlyBudget = amount(input.monthlyBudget, 'monthlyBudget', MONEY_BOUNDS, { maxDecimals: decimals });
    if (input.autoPauseAtBudget && monthlyBudget === null) {
      throw new PlanError(PlanErrorReason.INVALID_LIMITS, 'autoPauseAtBudget needs a monthlyBudget');
    }

    const seen = new Set<string>();
    const charges = input.charges.map((charge) => {
      if (seen.has(charge.metric)) throw new PlanError(PlanErrorReason.DUPLICATE_CHARGE, `Metric "${charge.metric}" is charged twice`);
      seen.add(charge.metric);
      const metricId = metricIds.get(charge.metric);
      if (!metricId) throw new PlanError(PlanErrorReason.UNKNOWN_METRIC, `No metric has the code "${charge.metric}"`);
      return { metricId, ...PlanService.validateCharge(charge) };
    });
    // A metric's code names its metered entitlement, never a feature, so a gate naming one could never open.
    const gatedByMetric = charges.find((c) => c.requiresFeature && seen.has(c.requiresFeature));
    if (gatedByMetric) {
      throw new PlanError(
        PlanErrorReason.INVALID_FEATURE,
        `requiresFeature "${gatedByMetric.requiresFeature}" is a metric the plan charges, not a feature`,
      );
    }

    return {
      plan: {
        code: input.code,
        name,
        currency: input.currency,
        basePriceAmount: amount(input.basePrice, 'basePrice', MONEY_BOUNDS, { maxDecimals: decimals }) ?? '0',
        interval: BillingInterval.MONTH,
        monthlyBudget,
        autoPauseAtBudget: input.autoPauseAtBudget ?? false,
        requestsPerMinute: input.requestsPerMinute ?? null,
        requestsPerHour: input.requestsPerHour ?? null,
        paymentTermsDays: terms,
        baseFeeTiming: input.baseFeeTiming ?? BaseFeeTiming.IN_ARREARS,
        planChangePolicy: input.planChangePolicy ?? PlanChangePolicy.BY_REQUEST,
        organizationId: input.organizationId ? assertId(input.organizationId, 'organizationId') : null,
      },
      charges,
      features: PlanService.validateFeatures(input.features ?? [], seen),
    };
  }

  /** Feature codes are unique in the plan and distinct from its metrics, whose codes name their metered entitlements. */
  static validateFeatures(inputs: PlanFeatureInput[], chargedMetrics: ReadonlySet<string>): FeatureGrant[] {
    if (inputs.length > MAX_FEATURES_PER_PLAN) {
      throw new PlanError(PlanErrorReason.INVALID_FEATURE, `A plan grants at most ${MAX_FEATURES_PER_PLAN} features`);
    }
    const seen = new Set<string>();
    return inputs.map((input) => {
      const problem = featureCodeProblem(input.feature) ?? featureConfigProblem(input.feature, input.config);
      if (problem) throw new PlanError(PlanErrorReason.INVALID_FEATURE, problem);
      if (chargedMetrics.has(input.feature)) {
        throw new PlanError(
          PlanErrorReason.INVALID_FEATURE,
          `feature "${input.feature}" is a metric the plan charges: its access is metered`,
        );
      }
      if (seen.has(input.feature)) throw new PlanError(PlanErrorReason.DUPLICATE_FEATURE, `feature "${input.feature}" is granted twice`);
      seen.add(input.feature);
      return { feature: input.feature, enabled: input.enabled ?? true, config: (input.config as Record<string, unknown> | null) ?? null };
    });
  }

  // Read by id alone: the plan module sits below the organisation module and needs nothing else of it.
  private async assertOrganizationExists(organizationId: string): Promise<void> {
    const rows = await this.db.query<unknown[]>(ORGANIZATION_EXISTS.text, ORGANIZATION_EXISTS.values({ organizationId }));
    if (rows.length === 0) throw organizationNotFound(organizationId);
  }

  /** Unlimited: no limit, no included quantity, no price: the usage is counted and shown, never refused nor billed. */
  private static unlimitedCharge(charge: PlanChargeInput, where: string): Omit<ChargeRow, 'metricId'> {
    if (charge.model !== PriceModel.PER_UNIT)
      throw new PlanError(PlanErrorReason.INVALID_CHARGE, `${where}: an unlimited charge has model PER_UNIT and no price`);
    const fields: Array<keyof PlanChargeInput> = [
      'included',
      'limit',
      'unitPrice',
      'packageSize',
      'packagePrice',
      'tiers',
      'dimensionPrices',
    ];
    const extra = fields.find((f) => charge[f] != null) ?? (charge.hardLimit ? 'hardLimit' : undefined);
    if (extra) throw new PlanError(PlanErrorReason.INVALID_CHARGE, `${where}: ${extra} does not apply to an unlimited charge`);
    return {
      included: null,
      limit: null,
      hardLimit: false,
      unlimited: true,
      model: PriceModel.PER_UNIT,
      unitPrice: '0',
      packageSize: null,
      packagePrice: null,
      tiers: null,
      dimensionPrices: null,
    };
  }

  /** What the charge lets through at all: its allow-list of dimension values and the feature that gates it. */
  private static validateAccess(charge: PlanChargeInput, where: string): Partial<Pick<PlanCharge, AccessFields>> {
    const access: Partial<Pick<PlanCharge, AccessFields>> = {};
    if (charge.allowedDimensions != null) {
      const allowed = parseAllowedDimensions(charge.allowedDimensions);
      if (typeof allowed === 'string') throw new PlanError(PlanErrorReason.INVALID_ALLOWED_DIMENSIONS, `${where}: ${allowed}`);
      access.allowedDimensions = allowed;
    }
    if (charge.requiresFeature != null) {
      const problem = featureCodeProblem(charge.requiresFeature);
      if (problem) throw new PlanError(PlanErrorReason.INVALID_FEATURE, `${where}: requiresFeature: ${problem}`);
      access.requiresFeature = charge.requiresFeature;
    }
    return access;
  }

  static validateCharge(charge: PlanChargeInput): Omit<ChargeRow, 'metricId'> {
    const where = `charge "${charge.metric}"`;
    const access = PlanService.validateAccess(charge, where);
    if (charge.unlimited) return { ...PlanService.unlimitedCharge(charge, where), ...access };
    const included = amount(charge.included, `${where}: included`, QUANTITY_BOUNDS);
    const limit = amount(charge.limit, `${where}: limit`, QUANTITY_BOUNDS);
    if (included !== null && limit !== null && new Decimal(limit).lessThan(included)) {
      throw new PlanError(PlanErrorReason.INVALID_LIMITS, `${where}: limit is below the included quantity`);
    }
    if (charge.hardLimit && limit === null) throw new PlanError(PlanErrorReason.INVALID_LIMITS, `${where}: a hard limit needs a limit`);

    const forbid = (fields: Array<keyof PlanChargeInput>) => {
      const extra = fields.find((f) => charge[f] != null);
      if (extra) throw new PlanError(PlanErrorReason.INVALID_CHARGE, `${where}: ${extra} does not apply to ${charge.model}`);
    };
    const row = {
      included,
      limit,
      hardLimit: charge.hardLimit ?? false,
      unlimited: false,
      model: charge.model,
      unitPrice: null as string | null,
      packageSize: null as string | null,
      packagePrice: null as string | null,
      tiers: null as Tier[] | null,
      dimensionPrices: null as DimensionPrice[] | null,
      ...access,
    };
    switch (charge.model) {
      case PriceModel.PER_UNIT:
        forbid(['packageSize', 'packagePrice', 'tiers']);
        row.unitPrice = amount(charge.unitPrice, `${where}: unitPrice`, PRICE_BOUNDS);
        row.dimensionPrices = charge.dimensionPrices?.length ? PlanService.validateDimensionPrices(charge, where) : null;
        if (row.unitPrice === null && row.dimensionPrices === null) {
          throw new PlanError(PlanErrorReason.INVALID_CHARGE, `${where}: PER_UNIT needs a unitPrice or dimensionPrices`);
        }
        break;
      case PriceModel.PACKAGE:
        forbid(['unitPrice', 'tiers', 'dimensionPrices']);
        row.packageSize = amount(charge.packageSize, `${where}: packageSize`, QUANTITY_BOUNDS, { positive: true });
        row.packagePrice = amount(charge.packagePrice, `${where}: packagePrice`, PRICE_BOUNDS);
        if (row.packageSize === null || row.packagePrice === null) {
          throw new PlanError(PlanErrorReason.INVALID_CHARGE, `${where}: PACKAGE needs packageSize and packagePrice`);
        }
        break;
      case PriceModel.GRADUATED:
      case PriceModel.VOLUME:
        forbid(['unitPrice', 'packageSize', 'packagePrice', 'dimensionPrices']);
        row.tiers = PlanService.validateTiers(charge, where);
        break;
    }
    return row;
  }

  private static validateTiers(charge: PlanChargeInput, where: string): Tier[] {
    const tiers = charge.tiers ?? [];
    if (tiers.length === 0) throw new PlanError(PlanErrorReason.INVALID_TIERS, `${where}: ${charge.model} needs tiers`);
    let previous = new Decimal(0);
    return tiers.map((tier, i) => {
      const last = i === tiers.length - 1;
      if (last !== (tier.upTo == null)) {
        throw new PlanError(PlanErrorReason.INVALID_TIERS, `${where}: only the last tier has no upTo, and it must have none`);
      }
      if (tier.upTo != null) {
        const upTo = parseBoundedDecimal(tier.upTo, `${where}: tier upTo`, QUANTITY_BOUNDS);
        if (!upTo.greaterThan(previous)) throw new PlanError(PlanErrorReason.INVALID_TIERS, `${where}: tier upTo values must increase`);
        previous = upTo;
      }
      return {
        upTo: tier.upTo == null ? null : previous.toFixed(),
        unitPrice: amount(tier.unitPrice, `${where}: tier unitPrice`, PRICE_BOUNDS) ?? '0',
        flatPrice: amount(tier.flatPrice, `${where}: tier flatPrice`, PRICE_BOUNDS),
      };
    });
  }

  private static validateDimensionPrices(charge: PlanChargeInput, where: string): DimensionPrice[] {
    const seen = new Set<string>();
    return (charge.dimensionPrices ?? []).map((entry) => {
      const dims = entry.dimensions;
      const valid =
        typeof dims === 'object' &&
        dims !== null &&
        !Array.isArray(dims) &&
        Object.keys(dims).length > 0 &&
        Object.values(dims).every((v) => typeof v === 'string' && v.length > 0);
      if (!valid) {
        throw new PlanError(
          PlanErrorReason.INVALID_DIMENSION_PRICES,
          `${where}: dimensions must be an object of non-empty strings, e.g. {"model": "gpt-4"}`,
        );
      }
      const sorted = Object.fromEntries(Object.entries(dims as Record<string, string>).sort(([a], [b]) => a.localeCompare(b)));
      const key = JSON.stringify(sorted);
      if (seen.has(key)) throw new PlanError(PlanErrorReason.INVALID_DIMENSION_PRICES, `${where}: ${key} is priced twice`);
      seen.add(key);
      return { dimensions: sorted, unitPrice: amount(entry.unitPrice, `${where}: dimension unitPrice`, PRICE_BOUNDS) ?? '0' };
    });
  }
}
