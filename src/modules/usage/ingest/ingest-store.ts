import type { PoolClient, QueryResult } from 'pg';
import { organizationNow, type OrganizationClock } from '../../../common/time/organization-clock';
import type { SubscriptionStatus } from '../../subscription/plan-subscription.entity';
import { readIngestState, type IngestState } from './ingest-state.store';
import { writeIngestBatch } from './ingest-write.store';
import type { NormalizedEvent } from './normalized-event';
import type { SpendWindow, StoredSpendControls } from './spend-guard';
import type { UsageAggregator } from './usage-aggregator';

/** What ingestion needs of the organisation and its subscription. */
export interface IngestContext {
  currency: string;
  closed: boolean;
  now: Date;
  subscription: { planId: string; status: SubscriptionStatus; currentPeriodStart: Date } | null;
  /** The organisation's feature overrides: enabled or not, by feature (or metric) code. */
  featureOverrides: ReadonlyMap<string, boolean>;
  /** Its spend controls, once set. */
  controls: StoredSpendControls | null;
}

interface ContextOrganizationRow extends OrganizationClock {
  currency: string;
  closed: boolean;
  overrides: Record<string, boolean>;
}

interface ContextSubscriptionRow {
  plan_id: string;
  status: SubscriptionStatus;
  current_period_start: Date;
}

/**
 * The SQL of one ingest transaction, in three round trips after BEGIN: lock
 * and context, the state the batch touches, and every write. Each statement
 * round trip costs both processes a few system calls and a wake-up, which at
 * 1,000 events a batch outweighed the statements' own work.
 */
export class IngestStore {
  constructor(private readonly client: PoolClient) {}

  /**
   * Serialises the organisation's batches (across nodes), then reads it and
   * its spend controls and SHARE-locks its subscription against a period close
   * until commit. One simple-protocol round trip of four statements, so the
   * reads take their snapshot after the lock is held.
   */
  async lockAndLoadContext(organizationId: string): Promise<IngestContext | null> {
    const id = `'${organizationId.replace(/'/g, "''")}'`;
    const results = (await this.client.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(${id}, 0));
       SELECT currency, closed_at IS NOT NULL AS closed, test_clock_at AS "testClockAt",
              (SELECT coalesce(json_object_agg(feature, enabled), '{}') FROM feature_overrides WHERE organization_id = ${id}) AS overrides
         FROM organizations WHERE id = ${id};
       SELECT plan_id, status, current_period_start FROM plan_subscriptions WHERE organization_id = ${id} FOR SHARE;
       SELECT monthly_budget::text AS "monthlyBudget", auto_pause AS "autoPause", per_event_limit::text AS "perEventLimit",
              per_hour_limit::text AS "perHourLimit", per_day_limit::text AS "perDayLimit"
         FROM spend_controls WHERE organization_id = ${id}`,
    )) as unknown as [
      QueryResult,
      QueryResult<ContextOrganizationRow>,
      QueryResult<ContextSubscriptionRow>,
      QueryResult<StoredSpendControls>,
    ];
    const organization = results[1].rows[0];
    if (!organization) return null;
    const subscription = results[2].rows[0];
    return {
      currency: organization.currency,
      closed: organization.closed,
      // The clock read here, not organization_now(o): now() is the transaction's start, before the lock wait.
      now: organizationNow(organization),
      subscription: subscription
        ? { planId: subscription.plan_id, status: subscription.status, currentPeriodStart: subscription.current_period_start }
        : null,
      featureOverrides: new Map(Object.entries(organization.overrides)),
      controls: results[3].rows[0] ?? null,
    };
  }

  /** Ids already recorded, and the totals, distinct values, sessions, rate windows and hourly spend the candidates would change. */
  loadState(
    organizationId: string,
    candidates: NormalizedEvent[],
    rateWindow: Date | null,
    rateHour: Date | null,
    spendWindows: readonly SpendWindow[],
  ): Promise<IngestState> {
    return readIngestState(this.client, organizationId, candidates, rateWindow, rateHour, spendWindows);
  }

  /** Everything the batch changed, in one statement, with the NOTIFY that announces it on commit. */
  write(organizationId: string, aggregator: UsageAggregator, rateWindow: Date | null, notifyChannel: string | null): Promise<void> {
    return writeIngestBatch(this.client, organizationId, aggregator, rateWindow, notifyChannel);
  }
}
