import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { parseBoundedDecimal, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';
import { Aggregation, isLevel } from './aggregation';
import type { CreateMetricInput } from './dto/create-metric.input';
import { Metric } from './metric.entity';
import { MetricError, MetricErrorReason } from './metric.error';

const CODE = /^[a-z][a-z0-9_]{0,62}$/;
/** Event fields a metric may key on besides free dimensions. */
const FIELD_OR_DIMENSION = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;

export class MetricService {
  constructor(private readonly db: DataSource) {}

  list(): Promise<Metric[]> {
    return this.db.getRepository(Metric).find({ order: { code: 'ASC' } });
  }

  async create(principal: Principal, input: CreateMetricInput): Promise<Metric> {
    assertCan(principal, Permission.MANAGE_CATALOG);
    const metric = MetricService.validate(input);
    const inserted = await this.db.getRepository(Metric).createQueryBuilder().insert().values(metric).orIgnore().returning('*').execute();
    if (inserted.identifiers.length === 0 || !inserted.identifiers[0]) {
      throw new MetricError(MetricErrorReason.DUPLICATE_CODE, `A metric with the code "${metric.code}" exists already`);
    }
    return this.db.getRepository(Metric).findOneByOrFail({ code: metric.code });
  }

  /** Checks a definition and returns it normalised; pure, so the rules are unit-tested directly. */
  static validate(input: CreateMetricInput): Omit<Metric, 'id' | 'createdAt'> {
    if (!CODE.test(input.code)) {
      throw new MetricError(
        MetricErrorReason.INVALID_CODE,
        'code must be lower-case letters, digits and underscores, starting with a letter (max 63)',
      );
    }
    const unit = input.unit.trim();
    if (!unit || unit.length > 40) throw new MetricError(MetricErrorReason.INVALID_UNIT, 'unit must be 1 to 40 characters');

    const uniqueBy = input.uniqueBy ?? null;
    if (input.aggregation === Aggregation.UNIQUE_COUNT) {
      if (!uniqueBy || !FIELD_OR_DIMENSION.test(uniqueBy)) {
        throw new MetricError(
          MetricErrorReason.INVALID_UNIQUE_BY,
          'UNIQUE_COUNT needs uniqueBy: "user", "team", "project" or a dimension key',
        );
      }
    } else if (uniqueBy) {
      throw new MetricError(MetricErrorReason.INVALID_UNIQUE_BY, 'uniqueBy applies to UNIQUE_COUNT only');
    }

    let eventRounding: string | null = null;
    if (input.eventRounding != null) {
      const rounding = parseBoundedDecimal(input.eventRounding, 'eventRounding', QUANTITY_BOUNDS);
      if (!rounding.isPositive() || rounding.isZero())
        throw new MetricError(MetricErrorReason.INVALID_ROUNDING, 'eventRounding must be greater than 0');
      if (input.aggregation !== Aggregation.SUM && !isLevel(input.aggregation)) {
        throw new MetricError(
          MetricErrorReason.INVALID_ROUNDING,
          'eventRounding applies to quantities (SUM, MAX, LATEST, DAILY_PEAK_AVERAGE)',
        );
      }
      eventRounding = rounding.toFixed();
    }

    const idle = input.sessionIdleMinutes ?? null;
    const sessionKey = input.sessionKey ?? null;
    if (idle !== null || sessionKey !== null) {
      if (input.aggregation !== Aggregation.COUNT)
        throw new MetricError(MetricErrorReason.INVALID_SESSION, 'Sessions are counted: use aggregation COUNT');
      if (idle === null || idle < 1 || idle > 7 * 24 * 60)
        throw new MetricError(MetricErrorReason.INVALID_SESSION, 'sessionIdleMinutes must be 1 to 10080');
      if (!sessionKey || !FIELD_OR_DIMENSION.test(sessionKey)) {
        throw new MetricError(
          MetricErrorReason.INVALID_SESSION,
          'sessionKey must name the field or dimension that identifies a conversation',
        );
      }
    }

    return {
      code: input.code,
      name: input.name?.trim() || input.code,
      unit,
      aggregation: input.aggregation,
      uniqueBy,
      eventRounding,
      sessionIdleMinutes: idle,
      sessionKey,
    };
  }
}
