import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/role';
import { connectionOf } from '../../common/database/pg-driver';
import { assertId } from '../../common/errors/common-error';
import { pageOf, timeCursor } from '../../common/graphql/cursor';
import { Dec, parseDecimalInput } from '../../common/money/decimal';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { monthPeriod } from '../../common/time/billing-period';
import { Organization } from '../organization/organization.entity';
import { OrganizationService } from '../organization/organization.service';
import { User } from '../organization/user.entity';
import type { IngestedBatch, IngestListener } from '../usage/usage-ingest.service';
import type { UsageCatalog } from '../usage/usage-catalog';
import { AlertRule } from './alert-rule.entity';
import {
  crossed,
  DEFAULT_RULES,
  evaluateRules,
  measureWindows,
  thresholdOf,
  type FiredAlert,
  type MeasureWindow,
  type RuleTerms,
} from './alert-evaluator';
import { AlertRuleKind, AlertSeverity, AlertWindow } from './alert-severity';
import { Alert } from './alert.entity';
import { AlertError, AlertErrorReason } from './alert.error';
import type { CreateAlertRuleInput } from './dto/alert.types';

export const ALERT_CHANNEL = 'meterly_alerts';
/** Usage rules before cost rules, lower thresholds first: alerts of one batch fire in that order (also in afterIngest's query). */
const RULE_ORDER = { createdAt: 'ASC', kind: 'DESC', thresholdPercent: 'ASC', thresholdAmount: 'ASC', id: 'ASC' } as const;
const CHANNELS = new Set(['in_app', 'email', 'webhook']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SystemAlert {
  dedupKey: string;
  kind: string;
  severity: AlertSeverity;
  threshold: string;
  value: string;
  message: string;
}

/**
 * Alert rules and fired alerts. Usage rules are evaluated inside the ingest
 * transaction of the batch that crossed them; the alert, its deliveries
 * (outbox) and the live notification commit with the usage, once per window
 * thanks to the unique dedup key.
 */
export class AlertService implements IngestListener {
  private readonly firedListeners: Array<() => void> = [];
  /** Dedup keys of ingest alerts known to be committed: later batches of their window send no insert. */
  /**
   * Dedup keys known to be in the alerts table, so batches after a crossing
   * need not send an insert the unique key would drop. Only an optimisation: a
   * key missing here (another node, a restart, an eviction) costs one harmless
   * ON CONFLICT DO NOTHING.
   */
  private readonly recorded = new LRUCache<string, true>({ max: 50_000 });

  constructor(
    private readonly db: DataSource,
    private readonly catalog: UsageCatalog,
    private readonly bus: ChangeBus,
  ) {}

  /** Called after alerts were committed (the delivery worker starts at once). */
  onFired(listener: () => void): void {
    this.firedListeners.push(listener);
  }

  /** The default rules, written with the organisation. */
  static async createDefaultRules(tx: EntityManager, organizationId: string): Promise<void> {
    await tx.getRepository(AlertRule).insert(
      DEFAULT_RULES.map((d) => ({
        organizationId,
        kind: d.kind,
        metricId: null,
        thresholdPercent: String(d.percent),
        thresholdAmount: null,
        severity: d.severity,
        channels: ['in_app', 'email'],
        window: AlertWindow.PERIOD,
        team: null,
        project: null,
        isDefault: true,
      })),
    );
  }

  async createRule(principal: Principal, input: CreateAlertRuleInput): Promise<AlertRule> {
    const organizationId = assertId(input.organizationId, 'organizationId');
    assertCan(principal, Permission.MANAGE_ALERTS, organizationId);
    await this.organization(organizationId);
    if ((input.thresholdPercent == null) === (input.thresholdAmount == null)) {
      throw new AlertError(AlertErrorReason.INVALID_THRESHOLD, 'Give exactly one of thresholdPercent and thresholdAmount');
    }
    if (input.thresholdPercent != null && !(input.thresholdPercent > 0 && input.thresholdPercent <= 1000)) {
      throw new AlertError(AlertErrorReason.INVALID_THRESHOLD, 'thresholdPercent must be above 0 and at most 1000');
    }
    const amount = input.thresholdAmount == null ? null : parseDecimalInput(input.thresholdAmount, 'thresholdAmount');
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
    const channels = [...new Set(['in_app', ...(input.channels ?? [])])];
    const bad = channels.find((c) => !CHANNELS.has(c));
    if (bad) throw new AlertError(AlertErrorReason.INVALID_CHANNEL, `"${bad}" is not a channel: in_app, email or webhook`);
    for (const key of [input.team, input.project]) {
      if (key != null && !OrganizationService.isValidKey(key))
        throw new AlertError(AlertErrorReason.INVALID_THRESHOLD, `"${key}" is not a valid key`);
    }
    return this.db.getRepository(AlertRule).save({
      organizationId,
      kind: metricId ? AlertRuleKind.USAGE : AlertRuleKind.COST,
      metricId,
      thresholdPercent: input.thresholdPercent == null ? null : new Dec(input.thresholdPercent).toFixed(),
      thresholdAmount: amount?.toFixed() ?? null,
      severity: input.severity,
      channels,
      window,
      team: input.team ?? null,
      project: input.project ?? null,
      isDefault: false,
    });
  }

  async rules(principal: Principal, organizationIdInput: string): Promise<AlertRule[]> {
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.VIEW_USAGE, organizationId);
    return this.db.getRepository(AlertRule).find({ where: { organizationId }, order: RULE_ORDER });
  }

  /** Returns the rule deleted, whose organisation the audit entry names. */
  async deleteRule(principal: Principal, idInput: string): Promise<AlertRule> {
    const id = assertId(idInput, 'rule id');
    const rule = await this.db.getRepository(AlertRule).findOneBy({ id });
    if (!rule) throw new AlertError(AlertErrorReason.NOT_FOUND, `Alert rule ${id} does not exist`);
    assertCan(principal, Permission.MANAGE_ALERTS, rule.organizationId);
    await this.db.getRepository(AlertRule).delete({ id });
    return rule;
  }

  async list(
    principal: Principal,
    organizationIdInput: string,
    first = 20,
    after?: string | null,
    severity?: AlertSeverity | null,
    acknowledged?: boolean | null,
  ) {
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.VIEW_USAGE, organizationId);
    if (!Number.isInteger(first) || first < 1 || first > 100)
      throw new AlertError(AlertErrorReason.INVALID_CURSOR, 'first must be 1 to 100');
    const qb = this.db.getRepository(Alert).createQueryBuilder('a').where('a.organizationId = :organizationId', { organizationId });
    if (severity) qb.andWhere('a.severity = :severity', { severity });
    if (acknowledged != null) qb.andWhere(acknowledged ? 'a.acknowledgedAt IS NOT NULL' : 'a.acknowledgedAt IS NULL');
    const totalCount = await qb.clone().getCount();
    if (after) {
      const key = timeCursor(after);
      if (!key) throw new AlertError(AlertErrorReason.INVALID_CURSOR, 'after is not a cursor of this list');
      qb.andWhere('(a.triggeredAt, a.seq) < (:at, :seq)', { at: key[0], seq: key[1] });
    }
    const rows = await qb
      .orderBy('a.triggeredAt', 'DESC')
      .addOrderBy('a.seq', 'DESC')
      .take(first + 1)
      .getMany();
    return { ...pageOf(rows, first, (node) => [node.triggeredAt.toISOString(), node.seq]), totalCount };
  }

  async acknowledge(principal: Principal, idInput: string): Promise<Alert> {
    const id = assertId(idInput, 'alert id');
    const alert = await this.db.getRepository(Alert).findOneBy({ id });
    if (!alert) throw new AlertError(AlertErrorReason.NOT_FOUND, `Alert ${id} does not exist`);
    assertCan(principal, Permission.MANAGE_ALERTS, alert.organizationId);
    if (!alert.acknowledgedAt) {
      alert.acknowledgedAt = (await this.organization(alert.organizationId)).testClockAt ?? new Date();
      await this.db.getRepository(Alert).update({ id }, { acknowledgedAt: alert.acknowledgedAt });
    }
    return alert;
  }

  /** Sets where webhook alerts go and returns a new signing secret, shown once. */
  async setWebhook(principal: Principal, organizationIdInput: string, url: string): Promise<{ url: string; secret: string }> {
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.MANAGE_ALERTS, organizationId);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AlertError(AlertErrorReason.INVALID_URL, `"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new AlertError(AlertErrorReason.INVALID_URL, 'The webhook URL must be http or https');
    await this.organization(organizationId);
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await this.db
      .getRepository(Organization)
      .update({ id: organizationId }, { alertWebhookUrl: parsed.toString(), alertWebhookSecret: secret });
    return { url: parsed.toString(), secret };
  }

  /** A billing contact receives alert emails. */
  async setBillingContact(principal: Principal, organizationIdInput: string, email: string, userKey?: string | null): Promise<User> {
    const organizationId = assertId(organizationIdInput, 'organizationId');
    assertCan(principal, Permission.MANAGE_ALERTS, organizationId);
    if (!EMAIL.test(email) || email.length > 320)
      throw new AlertError(AlertErrorReason.INVALID_EMAIL, `"${email}" is not an email address`);
    await this.organization(organizationId);
    const key = userKey ?? email.toLowerCase();
    if (!OrganizationService.isValidKey(key)) throw new AlertError(AlertErrorReason.INVALID_EMAIL, `"${key}" is not a valid user key`);
    await this.db.query(
      `INSERT INTO users (organization_id, key, email, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, key) DO UPDATE SET email = EXCLUDED.email, role = EXCLUDED.role`,
      [organizationId, key, email, Role.BILLING_CONTACT],
    );
    return this.db.getRepository(User).findOneByOrFail({ organizationId, key });
  }

  async afterIngest(tx: EntityManager, batch: IngestedBatch): Promise<(() => Promise<void>) | void> {
    // A prepared statement: this runs on every batch, where TypeORM's find built its query each time.
    const { rows: rules } = await (
      await connectionOf(tx)
    ).query<RuleTerms>({
      name: 'meterly_alert_rules',
      text: `SELECT id, kind, metric_id AS "metricId", threshold_percent AS "thresholdPercent", threshold_amount AS "thresholdAmount",
                    severity, channels, "window", team, project
               FROM alert_rules WHERE organization_id = $1 ORDER BY created_at, kind DESC, threshold_percent, threshold_amount, id`,
      values: [batch.organizationId],
    });
    if (rules.length === 0) return;
    const metrics = await this.catalog.metricMap();
    const measured = await this.measure(tx, batch.organizationId, measureWindows(rules, batch.rollups, metrics));
    const fired = evaluateRules(rules, {
      currency: batch.currency,
      metrics,
      charges: batch.terms?.charges ?? new Map(),
      budget: batch.terms?.plan.monthlyBudget ?? null,
      totals: batch.totals,
      periodCosts: batch.periodCosts,
      measured,
    }).filter((f) => !this.recorded.get(f.dedupKey));
    if (fired.length === 0) return;
    const created = await this.insertAll(
      tx,
      fired.map((f) => ({ ...f, organizationId: batch.organizationId, at: batch.now })),
    );
    return async () => {
      // Committed now, inserted by this batch or an earlier one; a rolled-back batch never gets here, so its alerts are retried.
      for (const f of fired) this.recorded.set(f.dedupKey, true);
      await this.afterCommit(created);
    };
  }

  /**
   * Projected overage: forecast rules fire when the period's projected cost
   * crosses their threshold (percent of the budget, or an amount), once per period.
   */
  async evaluateForecasts(
    forecasts: { forecastFor(organizationId: string): Promise<{ projectedCost: { amount: string; currency: string }; periodEnd: Date }> },
    organizationId?: string,
  ): Promise<void> {
    const rules: Array<AlertRule & { budget: string | null }> = await this.db.query(
      `SELECT r.id, r.organization_id AS "organizationId", r.threshold_percent AS "thresholdPercent", r.threshold_amount AS "thresholdAmount",
              r.severity, r.channels, p.monthly_budget AS budget
         FROM alert_rules r JOIN plan_subscriptions s ON s.organization_id = r.organization_id AND s.status = 'active'
         JOIN plans p ON p.id = s.plan_id
        WHERE r."window" = 'FORECAST' AND ($1::uuid IS NULL OR r.organization_id = $1)`,
      [organizationId ?? null],
    );
    const byOrg = new Map<string, typeof rules>();
    for (const rule of rules) byOrg.set(rule.organizationId, [...(byOrg.get(rule.organizationId) ?? []), rule]);
    for (const [org, orgRules] of byOrg) {
      const forecast = await forecasts.forecastFor(org);
      const projected = new Dec(forecast.projectedCost.amount);
      const periodStart = monthPeriod(new Date(forecast.periodEnd.getTime() - 1)).start;
      const fired: FiredAlert[] = [];
      for (const rule of orgRules) {
        const threshold = thresholdOf(rule, rule.budget);
        const currency = forecast.projectedCost.currency;
        const alert =
          threshold &&
          crossed(
            rule,
            periodStart.toISOString(),
            'forecast',
            null,
            threshold,
            projected,
            `Spend is projected to reach ${projected.toFixed()} ${currency} by the period's end, past ${threshold.toFixed()} ${currency}`,
          );
        if (alert) fired.push(alert);
      }
      if (fired.length === 0) continue;
      const now = (await this.organization(org)).testClockAt ?? new Date();
      const created = await this.db.transaction((tx) =>
        this.insertAll(
          tx,
          fired.map((f) => ({ ...f, organizationId: org, at: now })),
        ),
      );
      await this.afterCommit(created);
    }
  }

  /** Payment failures, overdue invoices: raised outside ingestion, once per dedup key. */
  async raise(organizationId: string, alert: SystemAlert): Promise<void> {
    await this.raiseAll([{ organizationId, ...alert }]);
  }

  /** `raise` for many alerts (an overdue run): one transaction, each alert at its organisation's clock. */
  async raiseAll(alerts: Array<SystemAlert & { organizationId: string }>): Promise<void> {
    if (alerts.length === 0) return;
    const organizationIds = [...new Set(alerts.map((a) => a.organizationId))];
    const clocks: Array<{ id: string; test_clock_at: Date | null }> = await this.db.query(
      'SELECT id, test_clock_at FROM organizations WHERE id = ANY($1::uuid[])',
      [organizationIds],
    );
    const clockOf = new Map(clocks.map((c) => [c.id, c.test_clock_at]));
    const missing = organizationIds.find((id) => !clockOf.has(id));
    if (missing) throw new AlertError(AlertErrorReason.ORGANIZATION_NOT_FOUND, `Organization ${missing} does not exist`);
    const now = new Date();
    const messages = await this.db.transaction((tx) =>
      this.insertAll(
        tx,
        alerts.map(({ organizationId, ...alert }) => ({
          ...alert,
          organizationId,
          at: clockOf.get(organizationId) ?? now,
          ruleId: null,
          metricCode: null,
          channels: ['in_app', 'email', 'webhook'],
        })),
      ),
    );
    await this.afterCommit(messages);
  }

  /**
   * Inserts the alerts not fired yet (by dedup key) with their outbox rows
   * (one delivery per email recipient and per webhook) and their NOTIFY, in
   * one statement; returns the bus messages (`org/alert`).
   */
  private async insertAll(tx: EntityManager, fired: Array<FiredAlert & { organizationId: string; at: Date }>): Promise<string[]> {
    if (fired.length === 0) return [];
    const rows: Array<{ message: string }> = await tx.query(
      `WITH created AS (
         INSERT INTO alerts (organization_id, rule_id, dedup_key, kind, severity, metric_code, threshold, value, message, channels, triggered_at)
         SELECT k.org, k.rule, k.dedup, k.kind, k.severity::alert_severity, k.metric, k.threshold, k.value, k.message, string_to_array(k.channels, ','), k.at
           FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[], $9::numeric[], $10::text[], $11::text[])
                AS k(org, at, rule, dedup, kind, severity, metric, threshold, value, message, channels)
         ON CONFLICT (dedup_key) DO NOTHING
         RETURNING id, organization_id, channels),
       deliveries AS (
         INSERT INTO alert_deliveries (alert_id, channel, target, next_attempt_at)
         SELECT a.id, 'email', u.email, now() FROM created a JOIN users u ON u.organization_id = a.organization_id
          WHERE 'email' = ANY(a.channels) AND u.role = 'BILLING_CONTACT' AND u.email IS NOT NULL
         UNION ALL
         SELECT a.id, 'webhook', o.alert_webhook_url, now() FROM created a JOIN organizations o ON o.id = a.organization_id
          WHERE 'webhook' = ANY(a.channels) AND o.alert_webhook_url IS NOT NULL),
       messages AS (SELECT organization_id || '/' || id AS message FROM created)
       -- A bus without a NOTIFY channel (Redis) publishes after commit.
       SELECT m.message FROM messages m LEFT JOIN LATERAL (SELECT pg_notify($12, m.message) WHERE $12::text IS NOT NULL) n ON true`,
      [
        fired.map((f) => f.organizationId),
        fired.map((f) => f.at.toISOString()),
        fired.map((f) => f.ruleId),
        fired.map((f) => f.dedupKey),
        fired.map((f) => f.kind),
        fired.map((f) => f.severity),
        fired.map((f) => f.metricCode),
        fired.map((f) => f.threshold),
        fired.map((f) => f.value),
        fired.map((f) => f.message),
        fired.map((f) => f.channels.join(',')),
        this.bus.notifyChannel,
      ],
    );
    return rows.map((r) => r.message);
  }

  private async afterCommit(messages: string[]): Promise<void> {
    if (messages.length === 0) return;
    await this.bus.afterCommitAll(messages);
    for (const listener of this.firedListeners) listener();
  }

  /**
   * The measured rules' values after the batch, in the windows it touched: a
   * team's or project's share of a period, or the spend of an hour or day.
   * One statement for every rule and window; by rule id and window start.
   */
  private async measure(tx: EntityManager, organizationId: string, windows: MeasureWindow[]): Promise<Map<string, Map<number, Dec>>> {
    const measured = new Map<string, Map<number, Dec>>();
    if (windows.length === 0) return measured;
    const rows: Array<{ value: string | null }> = await tx.query(
      `SELECT v.value
         FROM unnest($2::timestamptz[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[], $7::text[])
              WITH ORDINALITY AS w(start, finish, metric, team, project, aggregate, n)
        CROSS JOIN LATERAL (
              SELECT CASE w.aggregate WHEN 'cost' THEN sum(r.cost) WHEN 'max' THEN max(r.max_quantity) ELSE sum(r.quantity) END AS value
                FROM usage_rollups r
               WHERE r.organization_id = $1 AND r.bucket_start >= w.start AND r.bucket_start < w.finish
                 AND (w.metric IS NULL OR r.metric_id = w.metric) AND (w.team IS NULL OR r.team = w.team)
                 AND (w.project IS NULL OR r.project = w.project)) v
        ORDER BY w.n`,
      [
        organizationId,
        windows.map((w) => w.start.toISOString()),
        windows.map((w) => w.end.toISOString()),
        windows.map((w) => w.metricId),
        windows.map((w) => w.team),
        windows.map((w) => w.project),
        windows.map((w) => w.aggregate),
      ],
    );
    windows.forEach((window, i) => {
      const byStart = measured.get(window.ruleId) ?? new Map<number, Dec>();
      byStart.set(window.start.getTime(), new Dec(rows[i]!.value ?? 0));
      measured.set(window.ruleId, byStart);
    });
    return measured;
  }

  private async organization(id: string): Promise<Organization> {
    const organization = await this.db.getRepository(Organization).findOneBy({ id });
    if (!organization) throw new AlertError(AlertErrorReason.ORGANIZATION_NOT_FOUND, `Organization ${id} does not exist`);
    return organization;
  }
}
