import type { EntityManager } from 'typeorm';
import { namedStatement } from '../../common/database/pg-array';
import type { PlatformEventType } from './platform-event-type';

/** An event to record; `data` is plain JSON (amounts as decimal strings, dates as ISO text). */
export interface PlatformEvent {
  organizationId: string;
  type: PlatformEventType;
  data: Record<string, unknown>;
  /** For a change that may be reported twice: the second event with the same key in the organisation is dropped. */
  dedupKey?: string | null;
}

/**
 * CTEs that record an event for each row of `source` (a relation with the columns
 * organization_id uuid, type text, data jsonb, dedup_key text) and one delivery per
 * endpoint that takes its type, inside the statement that makes the change, so a
 * set-based change writes its events set-based too:
 *
 *   WITH moved AS (UPDATE ... RETURNING ...), src AS (SELECT ... FROM moved), ${platformEventCtes('src')} SELECT ... FROM moved
 *
 * PostgreSQL runs data-modifying CTEs whether or not the main query reads them. The names
 * `platform_events` and `platform_event_deliveries` are taken in that statement.
 */
export function platformEventCtes(source: string): string {
  return `platform_events AS (
    INSERT INTO webhook_events (organization_id, type, data, dedup_key)
    SELECT organization_id, type, data, dedup_key FROM ${source}
    ON CONFLICT (organization_id, dedup_key) DO NOTHING
    RETURNING organization_id, id, type),
  platform_event_deliveries AS (
    INSERT INTO webhook_deliveries (organization_id, event_id, endpoint_id, event_type)
    SELECT ev.organization_id, ev.id, e.id, ev.type
      FROM platform_events ev JOIN webhook_endpoints e ON ev.type = ANY(e.event_types) AND e.deleted_at IS NULL)`;
}

/**
 * A timestamp in JSON as JavaScript's toISOString writes it (UTC, milliseconds, "Z"), whatever
 * the session's time zone: event data built in SQL reads like the API's DateTime.
 */
export const isoTimestamp = (expression: string): string => `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const RECORD = namedStatement(
  ['organizations', 'types', 'data', 'dedupKeys'],
  (p) => `WITH source AS (
      SELECT * FROM unnest(${p.organizations}::uuid[], ${p.types}::text[], ${p.data}::jsonb[], ${p.dedupKeys}::text[])
        AS s(organization_id, type, data, dedup_key)),
    ${platformEventCtes('source')}
    SELECT count(*)::int AS recorded FROM platform_events`,
);

/**
 * Records events in `tx`, the transaction of the change they report, with their deliveries;
 * they are sent once it commits (WebhookDeliveryWorker). One statement for any number.
 */
export async function recordPlatformEvents(tx: EntityManager, events: readonly PlatformEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    RECORD.text,
    RECORD.values({
      organizations: events.map((e) => e.organizationId),
      types: events.map((e) => e.type),
      data: events.map((e) => JSON.stringify(e.data)),
      dedupKeys: events.map((e) => e.dedupKey ?? null),
    }),
  );
}

/**
 * Records the events a query selects (columns as for platformEventCtes), for a producer
 * that builds its data in SQL from the rows it just changed.
 */
export async function recordPlatformEventsOf(tx: EntityManager, select: string, parameters: unknown[]): Promise<void> {
  await tx.query(
    `WITH source AS (${select}), ${platformEventCtes('source')} SELECT count(*)::int AS recorded FROM platform_events`,
    parameters,
  );
}
