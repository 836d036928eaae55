import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { namedStatement } from '../../common/database/pg-array';
import { redactUrlCredentials } from '../../common/http/outbound-target';
import { CursorKey, keysetPage, pageOf, pageRequest } from '../../common/graphql/pagination';
import { AuditEntry } from './audit-entry.entity';
import { AUDIT_PAGE, AuditConnection, USAGE_EVENT_PAGE, UsageEventConnection } from './dto/audit.types';

/**
 * Names of fields that hold credentials (API keys, secrets such as a webhook's signing secret,
 * passwords, tokens), compared whole, ignoring case, "_" and "-". A substring pattern also hid
 * data: a metric's sessionKey, a team key, a "token_type" dimension. The secrets this API hands
 * out (an API key's `key`, a webhook `secret`, a `clientSecret`) are results, which summarize drops.
 */
const SECRET_FIELDS = new Set(['apikey', 'secret', 'clientsecret', 'signingsecret', 'webhooksecret', 'password', 'token', 'accesstoken']);

const isSecret = (field: string): boolean => SECRET_FIELDS.has(field.replace(/[-_]/g, '').toLowerCase());

/** An absolute URL with a host, such as a webhook's: its credentials may sit in the userinfo or the query. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Arguments as stored: secrets redacted (also those inside URLs), dates as text, event batches summarised. */
function sanitize(value: unknown, field = ''): unknown {
  if (field === 'events' && Array.isArray(value)) return { count: value.length };
  if (value != null && isSecret(field)) return '[redacted]';
  if (typeof value === 'string' && URL_LIKE.test(value)) return redactUrlCredentials(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => sanitize(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitize(v, k)]));
  return value;
}

function summarize(result: unknown): Record<string, unknown> | null {
  if (!result || typeof result !== 'object') return result === undefined || result === null ? null : { value: result };
  const r = result as Record<string, unknown>;
  if ('accepted' in r && 'rejected' in r)
    return { accepted: r.accepted, duplicates: r.duplicates, rejected: Array.isArray(r.rejected) ? r.rejected.length : 0 };
  if ('invoicesCreated' in r) return { invoicesCreated: r.invoicesCreated };
  if ('amount' in r && 'currency' in r) return { amount: r.amount, currency: r.currency };
  if ('id' in r) return { id: r.id, ...('status' in r ? { status: r.status } : {}) };
  return null;
}

function organizationOf(operation: string, args: Record<string, unknown>, result: unknown): string | null {
  const input = (args.input ?? {}) as Record<string, unknown>;
  const candidate = input.organizationId ?? args.organizationId ?? (result as Record<string, unknown> | null)?.organizationId;
  if (typeof candidate === 'string') return candidate;
  // The one mutation whose organisation exists only in its result.
  if (operation === 'createOrganization') return ((result as { id?: string } | null)?.id ?? null) as string | null;
  return null;
}

const INSERT_ENTRY = namedStatement(
  ['apiKeyId', 'role', 'organizationId', 'operation', 'arguments', 'result'],
  (p) => `INSERT INTO audit_log (api_key_id, role, organization_id, operation, arguments, result)
          VALUES (${p.apiKeyId}, ${p.role}, ${p.organizationId}, ${p.operation}, ${p.arguments}, ${p.result})`,
);

/** A recorded event as the per-event trail reads it. */
interface EventTrailRow {
  event_id: string;
  code: string;
  occurred_at: Date;
  received_at: Date;
  quantity: string;
  raw_quantity: string;
  cost: string;
  team: string | null;
  project: string | null;
  user_key: string | null;
  dimensions: unknown;
}

/** Newest first, keyset-paged on (occurred_at, event_id); a null metric or cursor does not filter. */
const EVENT_TRAIL = namedStatement(
  ['organizationId', 'metric', 'beforeAt', 'beforeId', 'limit'],
  (
    p,
  ) => `SELECT e.event_id, m.code, e.occurred_at, e.received_at, e.quantity, e.raw_quantity, e.cost, e.team, e.project, e.user_key, e.dimensions
            FROM usage_events e JOIN metrics m ON m.id = e.metric_id
           WHERE e.organization_id = ${p.organizationId} AND (${p.metric}::text IS NULL OR m.code = ${p.metric})
             AND (${p.beforeAt}::timestamptz IS NULL OR (e.occurred_at, e.event_id) < (${p.beforeAt}::timestamptz, ${p.beforeId}::text))
           ORDER BY e.occurred_at DESC, e.event_id DESC LIMIT ${p.limit}`,
);

/**
 * How many events the trail holds for the same filter. Without a metric, no join: the organisation's range of the
 * primary key answers it (an index-only scan once the table is vacuumed).
 */
const EVENT_TRAIL_COUNT = namedStatement(
  ['organizationId', 'metric'],
  (p) => `SELECT count(*) AS n FROM usage_events e
           WHERE e.organization_id = ${p.organizationId}
             AND (${p.metric}::text IS NULL OR e.metric_id IN (SELECT id FROM metrics WHERE code = ${p.metric}))`,
);

/** The audit trail: written after each successful mutation, readable by admins, never editable through the API. */
export class AuditService {
  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly failures: Counter<'operation'>,
  ) {}

  /**
   * Writes the entry of a mutation that has committed; `organizationId` is the organisation the
   * mutation reported acting on, when its arguments and result do not name it. Never throws: the
   * change is made, so its caller is told so; a lost entry is logged and counted for operators.
   */
  async record(
    principal: Principal,
    operation: string,
    args: Record<string, unknown>,
    result: unknown,
    organizationId?: string,
  ): Promise<void> {
    const organization = organizationId ?? organizationOf(operation, args, result);
    try {
      await this.db.query(
        INSERT_ENTRY.text,
        INSERT_ENTRY.values({
          apiKeyId: principal.apiKeyId,
          role: principal.role,
          organizationId: organization,
          operation,
          arguments: JSON.stringify(sanitize(args)),
          result: JSON.stringify(summarize(result)),
        }),
      );
    } catch (err) {
      this.failures.inc({ operation });
      this.logger.error({ err, operation, apiKeyId: principal.apiKeyId, organizationId: organization }, 'audit entry not written');
    }
  }

  async list(
    principal: Principal,
    organizationIdInput: string | null | undefined,
    first?: number | null,
    after?: string | null,
    operation?: string | null,
  ): Promise<AuditConnection> {
    const organizationId = organizationIdInput ? authorizeTenant(principal, Permission.VIEW_AUDIT, organizationIdInput) : null;
    if (!organizationId && !isPlatformAdmin(principal))
      throw new CommonError(CommonErrorReason.FORBIDDEN, 'Only platform admins read the whole log');
    const page = pageRequest(first ?? AUDIT_PAGE.default, after, AUDIT_PAGE.max, CursorKey.serial);
    const qb = this.db.getRepository(AuditEntry).createQueryBuilder('e');
    if (organizationId) qb.where('e.organizationId = :organizationId', { organizationId });
    if (operation) qb.andWhere('e.operation = :operation', { operation });
    return Object.assign(new AuditConnection(), await keysetPage(qb, page, ['e.id'], (node) => [node.id]));
  }

  /** The per-event trail: each recorded event with the cost it was given. */
  async events(
    principal: Principal,
    organizationIdInput: string,
    firstInput?: number | null,
    after?: string | null,
    metric?: string | null,
  ): Promise<UsageEventConnection> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_AUDIT, organizationIdInput);
    const { first, after: cursor } = pageRequest(firstInput ?? USAGE_EVENT_PAGE.default, after, USAGE_EVENT_PAGE.max, CursorKey.timeAndId);
    const rows = await this.db.query<EventTrailRow[]>(
      EVENT_TRAIL.text,
      EVENT_TRAIL.values({
        organizationId,
        metric: metric ?? null,
        beforeAt: cursor?.[0] ?? null,
        beforeId: cursor?.[1] ?? null,
        limit: first + 1,
      }),
    );
    const page = pageOf(rows, first, (r) => [r.occurred_at.toISOString(), r.event_id]);
    const count = async () => {
      const [row] = await this.db.query<Array<{ n: string }>>(
        EVENT_TRAIL_COUNT.text,
        EVENT_TRAIL_COUNT.values({ organizationId, metric: metric ?? null }),
      );
      return Number(row?.n ?? 0);
    };
    return Object.assign(new UsageEventConnection(), {
      count,
      pageInfo: page.pageInfo,
      edges: page.edges.map(({ cursor: c, node: r }) => ({
        cursor: c,
        node: {
          id: r.event_id,
          metric: r.code,
          timestamp: r.occurred_at,
          receivedAt: r.received_at,
          quantity: r.quantity,
          rawQuantity: r.raw_quantity,
          cost: r.cost,
          team: r.team,
          project: r.project,
          user: r.user_key,
          dimensions: r.dimensions,
        },
      })),
    });
  }
}
