import type { EntityManager } from 'typeorm';
import { namedStatement } from '../../common/database/pg-array';
import { PlatformEventType } from '../webhook/platform-event-type';
import { isoTimestamp, recordPlatformEventsOf } from '../webhook/platform-events';

/**
 * The `data` of subscription.changed, built in SQL from a plan_changes row (or the RETURNING
 * of one) named `c`, so that a change by hand and the close's scheduled ones read alike:
 * the kind (upgraded, downgrade_scheduled, downgraded, cancel_scheduled, canceled,
 * account_closed), the plans by code, and when it takes effect.
 */
export function planChangeEventData(c: string): string {
  return `jsonb_build_object('change', jsonb_build_object(
      'id', ${c}.id, 'kind', ${c}.kind,
      'fromPlan', (SELECT p.code FROM plans p WHERE p.id = ${c}.from_plan_id),
      'toPlan', (SELECT p.code FROM plans p WHERE p.id = ${c}.to_plan_id),
      'effectiveAt', ${isoTimestamp(`${c}.effective_at`)}))`;
}

const CHANGED = namedStatement(
  ['organizationId', 'ids'],
  (p) => `SELECT c.organization_id, '${PlatformEventType.SUBSCRIPTION_CHANGED}'::text AS type, ${planChangeEventData('c')} AS data,
                 NULL::text AS dedup_key
            FROM plan_changes c WHERE c.organization_id = ${p.organizationId} AND c.id = ANY(${p.ids}::uuid[])`,
);

/** Records subscription.changed for plan changes just written in `tx` (their ids as TypeORM's insert returns them). */
export function recordSubscriptionChanged(
  tx: EntityManager,
  organizationId: string,
  changes: ReadonlyArray<{ id?: unknown }>,
): Promise<void> {
  const ids = changes.map((c) => String(c.id));
  return recordPlatformEventsOf(tx, CHANGED.text, CHANGED.values({ organizationId, ids }));
}
