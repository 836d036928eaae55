import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { assertId } from '../../common/errors/common-error';
import { parseBoundedDecimal, PERCENT_BOUNDS, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';
import { OrganizationService } from '../organization/organization.service';
import { tenantScope } from '../organization/tenant-scope';
import type { RatingCatalog } from '../rating/rating-catalog';
import { DEFAULT_RULES } from './alert-evaluator';
import { AlertRule } from './alert-rule.entity';
import { AlertChannel, AlertRuleKind, AlertSeverity, AlertWindow } from './alert-severity';
import { AlertError, AlertErrorReason } from './alert.error';
import type { CreateAlertRuleInput } from './dto/alert.types';

/** Usage rules before cost rules, lower thresholds first: alerts of one batch fire in that order (also in AlertIngestListener's query). */
const RULE_ORDER = { createdAt: 'ASC', kind: 'DESC', thresholdPercent: 'ASC', thresholdAmount: 'ASC', id: 'ASC' } as const;
const CHANNELS = new Set<string>(Object.values(AlertChannel));
/** Channels arrive as strings (the contract's `[String!]`) and are checked here against the AlertChannel enum. */
const isChannel = (channel: string): channel is AlertChannel => CHANNELS.has(channel);

/** Seed 003: critical usage alerts (95 % and the limit itself) go by SMS too, to the organisation's SMS recipients if it has any. */
const defaultChannels = (d: (typeof DEFAULT_RULES)[number]): AlertChannel[] =>
  d.kind === AlertRuleKind.USAGE && d.severity === AlertSeverity.CRITICAL
    ? [AlertChannel.IN_APP, AlertChannel.EMAIL, AlertChannel.SMS]
    : [AlertChannel.IN_APP, AlertChannel.EMAIL];

/** An organisation's alert rules: its defaults and those it adds. */
export class AlertRuleService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
    /** Whether the server has SMS settings; without them the sms channel is refused. */
    private readonly smsConfigured = false,
  ) {}

  /** The default rules, written with the organisation. */
  async createDefaults(tx: EntityManager, organizationId: string): Promise<void> {
    await tx.getRepository(AlertRule).insert(
      DEFAULT_RULES.map((d) => ({
        organizationId,
        kind: d.kind,
        metricId: null,
        thresholdPercent: String(d.percent),
        thresholdAmount: null,
        severity: d.severity,
        channels: defaultChannels(d),
        window: AlertWindow.PERIOD,
        team: null,
        project: null,
        isDefault: true,
      })),
    );
  }

  async create(principal: Principal, input: CreateAlertRuleInput): Promise<AlertRule> {
    const { organizationId } = await tenantScope(this.db.manager, principal, Permission.MANAGE_ALERTS, input.organizationId);
    if (input.thresholdPercent != null && input.thresholdPercentage != null) {
      throw new AlertError(AlertErrorReason.INVALID_THRESHOLD, 'Give thresholdPercentage or the deprecated thresholdPercent, not both');
    }
    if ((input.thresholdPercent == null && input.thresholdPercentage == null) === (input.thresholdAmount == null)) {
      throw new AlertError(
        AlertErrorReason.INVALID_THRESHOLD,
        'Give exactly one of thresholdPercentage (or thresholdPercent) and thresholdAmount',
      );
    }
    if (input.thresholdPercent != null && !(input.thresholdPercent > 0 && input.thresholdPercent <= 1000)) {
      throw new AlertError(AlertErrorReason.INVALID_THRESHOLD, 'thresholdPercent must be above 0 and at most 1000');
    }
    // A Float's shortest text: "1e-300" is above 0 and below 1000 but has 300 decimals.
    const percent =
      input.thresholdPercentage != null
        ? parseBoundedDecimal(input.thresholdPercentage, 'thresholdPercentage', PERCENT_BOUNDS)
        : input.thresholdPercent == null
          ? null
          : parseBoundedDecimal(String(input.thresholdPercent), 'thresholdPercent', PERCENT_BOUNDS);
    if (input.thresholdPercentage != null && !(percent!.greaterThan(0) && percent!.lessThanOrEqualTo(1000))) {
      throw new AlertError(AlertErrorReason.INVALID_THRESHOLD, 'thresholdPercentage must be above 0 and at most 1000');
    }
    const amount = input.thresholdAmount == null ? null : parseBoundedDecimal(input.thresholdAmount, 'thresholdAmount', QUANTITY_BOUNDS);
    if (amount && !amount.greaterThan(0)) throw new AlertError(AlertErrorReason.INVALID_THRESHOLD, 'thresholdAmount must be above 0');
    let metricId: string | null = null;
    if (input.metric) {
      const metric = (await this.catalog.metricsFor([input.metric])).get(input.metric);
      if (!metric) throw new AlertError(AlertErrorReason.UNKNOWN_METRIC, `No metric has the code "${input.metric}"`);
      metricId = metric.id;
    }
    const window = input.window ?? AlertWindow.PERIOD;
    if ((window === AlertWindow.HOUR || window === AlertWindow.DAY) && (metricId !== null || amount === null)) {
      throw new AlertError(AlertErrorReason.INVALID_WINDOW, 'HOUR and DAY windows are spend limits: a cost rule with thresholdAmount');
    }
    if (window === AlertWindow.FORECAST && (metricId !== null || input.team || input.project)) {
      throw new AlertError(
        AlertErrorReason.INVALID_WINDOW,
        "FORECAST rules watch the organisation's projected cost: no metric, team or project",
      );
    }
    const requested: string[] = [AlertChannel.IN_APP, ...(input.channels ?? [])];
    const bad = requested.find((c) => !isChannel(c));
    if (bad !== undefined) {
      throw new AlertError(AlertErrorReason.INVALID_CHANNEL, `"${bad}" is not a channel: in_app, email, webhook or sms`);
    }
    const channels = [...new Set(requested.filter(isChannel))];
    if (channels.includes(AlertChannel.SMS) && !this.smsConfigured) {
      throw new AlertError(
        AlertErrorReason.SMS_NOT_CONFIGURED,
        'SMS alerts are not set up on this server (SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM): choose in_app, email or webhook',
      );
    }
    for (const key of [input.team, input.project]) {
      if (key != null && !OrganizationService.isValidKey(key))
        throw new AlertError(AlertErrorReason.INVALID_KEY, `"${key}" is not a valid team or project key`);
    }
    return this.db.getRepository(AlertRule).save({
      organizationId,
      kind: metricId ? AlertRuleKind.USAGE : AlertRuleKind.COST,
      metricId,
      thresholdPercent: percent?.toFixed() ?? null,
      thresholdAmount: amount?.toFixed() ?? null,
      severity: input.severity,
      channels,
      window,
      team: input.team ?? null,
      project: input.project ?? null,
      isDefault: false,
    });
  }

  async list(principal: Principal, organizationIdInput: string): Promise<AlertRule[]> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    return this.db.getRepository(AlertRule).find({ where: { organizationId }, order: RULE_ORDER });
  }

  /**
   * Returns the rule deleted, whose organisation the audit entry names. Another
   * organisation's rule answers NOT_FOUND, as if it did not exist.
   */
  async delete(principal: Principal, idInput: string): Promise<AlertRule> {
    const id = assertId(idInput, 'rule id');
    assertCan(principal, Permission.MANAGE_ALERTS);
    const rule = await this.db.getRepository(AlertRule).findOneBy({ id });
    if (!rule || (!isPlatformAdmin(principal) && rule.organizationId !== principal.organizationId))
      throw new AlertError(AlertErrorReason.NOT_FOUND, `Alert rule ${id} does not exist`);
    await this.db.getRepository(AlertRule).delete({ id });
    return rule;
  }
}
