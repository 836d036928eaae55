import type { DataSource, EntityManager } from 'typeorm';
import { namedParameters } from '../../common/database/pg-array';
import { organizationNotFound } from '../../common/errors/common-error';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { organizationNow, type OrganizationClock } from '../../common/time/organization-clock';
import { PlatformEventType } from '../webhook/platform-event-type';
import { isoTimestamp, platformEventCtes } from '../webhook/platform-events';
import type { FiredAlert } from './alert-evaluator';
import type { AlertKind, AlertSeverity } from './alert-severity';

/** An alert raised outside any rule (a failed payment, an overdue invoice). */
export interface SystemAlert {
  dedupKey: string;
  kind: `${AlertKind}`;
  severity: AlertSeverity;
  threshold: string;
  value: string;
  message: string;
}

/** A fired alert of an organisation, at the organisation's clock. */
export type AlertToInsert = FiredAlert & { organizationId: string; at: Date };

const INSERT = namedParameters([
  'org',
  'at',
  'rule',
  'dedup',
  'kind',
  'severity',
  'metric',
  'threshold',
  'value',
  'message',
  'channels',
  'notifyChannel',
] as const);
const $ = INSERT.sql;

/**
 * The alerts not fired yet (by dedup key) with their outbox rows (one
 * delivery per email recipient, per webhook and per SMS recipient), their
 * alert.triggered platform events and their NOTIFY, in one statement;
 * returns the bus messages (`org/alert`).
 */
const INSERT_SQL = `WITH created AS (
    INSERT INTO alerts (organization_id, rule_id, dedup_key, kind, severity, metric_code, threshold, value, message, channels, triggered_at)
    SELECT k.org, k.rule, k.dedup, k.kind, k.severity::alert_severity, k.metric, k.threshold, k.value, k.message, string_to_array(k.channels, ','), k.at
      FROM unnest(${$.org}::uuid[], ${$.at}::timestamptz[], ${$.rule}::uuid[], ${$.dedup}::text[], ${$.kind}::text[], ${$.severity}::text[],
                  ${$.metric}::text[], ${$.threshold}::numeric[], ${$.value}::numeric[], ${$.message}::text[], ${$.channels}::text[])
           AS k(org, at, rule, dedup, kind, severity, metric, threshold, value, message, channels)
    ON CONFLICT (organization_id, dedup_key) DO NOTHING
    RETURNING id, organization_id, channels, kind, severity, metric_code, threshold, value, message, triggered_at),
  deliveries AS (
    INSERT INTO alert_deliveries (organization_id, alert_id, channel, target, next_attempt_at)
    SELECT a.organization_id, a.id, 'email', u.email, now() FROM created a JOIN users u ON u.organization_id = a.organization_id
     WHERE 'email' = ANY(a.channels) AND u.role = 'BILLING_CONTACT' AND u.email IS NOT NULL
    UNION ALL
    SELECT a.organization_id, a.id, 'webhook', o.alert_webhook_url, now() FROM created a JOIN organizations o ON o.id = a.organization_id
     WHERE 'webhook' = ANY(a.channels) AND o.alert_webhook_url IS NOT NULL
    UNION ALL
    SELECT a.organization_id, a.id, 'sms', n.phone, now() FROM created a JOIN organizations o ON o.id = a.organization_id
     CROSS JOIN LATERAL unnest(o.alert_sms_recipients) AS n(phone)
     WHERE 'sms' = ANY(a.channels)),
  alert_events AS (
    SELECT organization_id, '${PlatformEventType.ALERT_TRIGGERED}'::text AS type,
           jsonb_build_object('alert', jsonb_build_object('id', id, 'kind', kind, 'severity', severity::text, 'metric', metric_code,
             'threshold', threshold::text, 'value', value::text, 'message', message, 'triggeredAt', ${isoTimestamp('triggered_at')})) AS data,
           NULL::text AS dedup_key
      FROM created),
  ${platformEventCtes('alert_events')},
  messages AS (SELECT organization_id || '/' || id AS message FROM created)
  -- A bus without a NOTIFY channel (Redis) publishes after commit.
  SELECT m.message FROM messages m LEFT JOIN LATERAL (SELECT pg_notify(${$.notifyChannel}, m.message) WHERE ${$.notifyChannel}::text IS NOT NULL) n ON true`;

/**
 * The organisations' ingest lock (ingest-store's), taken in a fixed order: an organisation's alerts are inserted
 * one transaction at a time, so their `seq` follows their commit order, which resuming `alertTriggered` relies on.
 * Ingest holds it already; a lock held is taken again at no cost.
 */
const LOCK_ORGANIZATIONS = `SELECT pg_advisory_xact_lock(hashtextextended(o, 0)) FROM (SELECT DISTINCT o FROM unnest($1::text[]) AS o ORDER BY o) AS s`;

interface MessageRow {
  message: string;
}

const CLOCKS = namedParameters(['ids'] as const);
const CLOCKS_SQL = `SELECT id, test_clock_at AS "testClockAt" FROM organizations WHERE id = ANY(${CLOCKS.sql.ids}::uuid[])`;

interface ClockRow extends OrganizationClock {
  id: string;
}

/**
 * Writes fired alerts, with their deliveries and live notification, and
 * announces them once committed. Rules fire through it (ingest, forecasts),
 * and so do system alerts.
 */
export class AlertRaiser {
  private readonly firedListeners: Array<() => void> = [];

  constructor(
    private readonly db: DataSource,
    private readonly bus: ChangeBus,
  ) {}

  /** Called after alerts were committed (the delivery worker starts at once). */
  onFired(listener: () => void): void {
    this.firedListeners.push(listener);
  }

  /** Payment failures, overdue invoices: raised outside ingestion, once per dedup key. */
  async raise(organizationId: string, alert: SystemAlert): Promise<void> {
    await this.raiseAll([{ organizationId, ...alert }]);
  }

  /** `raise` for many alerts (an overdue run): one transaction, each alert at its organisation's clock. */
  async raiseAll(alerts: Array<SystemAlert & { organizationId: string }>): Promise<void> {
    if (alerts.length === 0) return;
    const organizationIds = [...new Set(alerts.map((a) => a.organizationId))];
    const clocks: ClockRow[] = await this.db.query(CLOCKS_SQL, CLOCKS.values({ ids: organizationIds }));
    const nowOf = new Map(clocks.map((c) => [c.id, organizationNow(c)]));
    const toInsert = alerts.map(({ organizationId, ...alert }): AlertToInsert => {
      const at = nowOf.get(organizationId);
      if (!at) throw organizationNotFound(organizationId);
      return { ...alert, organizationId, at, ruleId: null, metricCode: null, channels: ['in_app', 'email', 'webhook'] };
    });
    const messages = await this.db.transaction((tx) => this.insert(tx, toInsert));
    await this.announce(messages);
  }

  /** Inserts in `tx` the alerts not fired yet; returns the messages to `announce` once `tx` has committed. */
  async insert(tx: EntityManager, fired: AlertToInsert[]): Promise<string[]> {
    if (fired.length === 0) return [];
    await tx.query(LOCK_ORGANIZATIONS, [fired.map((f) => f.organizationId)]);
    const rows: MessageRow[] = await tx.query(
      INSERT_SQL,
      INSERT.values({
        org: fired.map((f) => f.organizationId),
        at: fired.map((f) => f.at.toISOString()),
        rule: fired.map((f) => f.ruleId),
        dedup: fired.map((f) => f.dedupKey),
        kind: fired.map((f) => f.kind),
        severity: fired.map((f) => f.severity),
        metric: fired.map((f) => f.metricCode),
        threshold: fired.map((f) => f.threshold),
        value: fired.map((f) => f.value),
        message: fired.map((f) => f.message),
        channels: fired.map((f) => f.channels.join(',')),
        notifyChannel: this.bus.notifyChannel,
      }),
    );
    return rows.map((r) => r.message);
  }

  /** Publishes committed alerts (where the bus has no NOTIFY) and wakes the delivery worker. */
  async announce(messages: string[]): Promise<void> {
    if (messages.length === 0) return;
    await this.bus.afterCommitAll(messages);
    for (const listener of this.firedListeners) listener();
  }
}
