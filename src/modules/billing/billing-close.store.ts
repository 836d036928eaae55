import type { EntityManager } from 'typeorm';
import { namedParameters, textArray } from '../../common/database/pg-array';
import type { LineDraft } from '../invoice/invoice-builder';
import type { InvoiceLineKind } from '../invoice/invoice-line.entity';
import { invoiceEventData } from '../invoice/invoice-events';
import { InvoiceStatus } from '../invoice/invoice-status';
import { PlanChangeKind } from '../subscription/plan-change.entity';
import { planChangeEventData } from '../subscription/subscription-events';
import { PlatformEventType } from '../webhook/platform-event-type';
import { platformEventCtes } from '../webhook/platform-events';

/** Which subscriptions a close takes. */
export interface CloseFilter {
  organizationId?: string;
  /** Only the period ending then. */
  periodEnd?: Date;
}

export interface DueSubscription {
  organization_id: string;
  organization_name: string;
  plan_id: string;
  period_plan_id: string;
  pending_plan_id: string | null;
  cancel_at_period_end: boolean;
  current_period_start: Date;
  current_period_end: Date;
  currency: string;
}

export interface UsageTotalRow {
  organization_id: string;
  metric_id: string;
  quantity: string;
  cost: string;
}

/** Per-price totals of a rate-card metric, kept at ingest. */
export interface PriceTotalRow extends UsageTotalRow {
  label: string;
  unit_price: string | null;
}

export interface PendingItemRow {
  id: string;
  organization_id: string;
  kind: InvoiceLineKind;
  description: string;
  quantity: string;
  unit_price: string | null;
  amount: string;
}

export interface GrantRow {
  id: string;
  organization_id: string;
  remaining: string;
  expires_at: Date | null;
  granted_at: Date;
}

export interface CounterRow {
  organization_id: string;
  last_sequence: number;
}

/** What a wave's invoices are built from, for its organisations' ending periods. */
export interface WaveInputs {
  totals: UsageTotalRow[];
  priceTotals: PriceTotalRow[];
  /** Not yet invoiced, in line order (a proration's credit before its charge). */
  items: PendingItemRow[];
  /** With something left. */
  grants: GrantRow[];
  counters: CounterRow[];
}

/** An issued invoice as written. Decimals are strings, rounded already. */
export interface NewInvoice {
  id: string;
  organizationId: string;
  sequence: number;
  number: string;
  status: InvoiceStatus;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  subtotal: string;
  creditsApplied: string;
  total: string;
  dueDate: Date;
  paymentDueAt: Date;
  paidAt: Date | null;
  lines: LineDraft[];
}

/** A batch of invoices as the parameters of one insert, serialised ahead of writing. */
export interface PreparedInvoices {
  readonly invoices: NewInvoice[];
  readonly values: unknown[];
}

const iso = (d: Date) => d.toISOString();

const DUE = namedParameters(['organization', 'periodEnd', 'limit'] as const);
const PERIODS = namedParameters(['organizations', 'periodStarts'] as const);
const ORGANIZATIONS = namedParameters(['organizations'] as const);
const INVOICE_COLUMNS = ['id', 'organization', 'sequence', 'number', 'status', 'periodStart', 'periodEnd', 'currency'] as const;
const AMOUNT_COLUMNS = ['subtotal', 'creditsApplied', 'total', 'dueDate', 'paymentDueAt', 'paidAt'] as const;
const LINE_COLUMNS = [
  'lineInvoice',
  'linePosition',
  'lineKind',
  'lineDescription',
  'lineMetric',
  'lineQuantity',
  'lineUnitPrice',
  'lineAmount',
] as const;
const INSERT = namedParameters([...INVOICE_COLUMNS, ...AMOUNT_COLUMNS, ...LINE_COLUMNS]);
const ITEMS = namedParameters(['items', 'invoices'] as const);
const APPLICATIONS = namedParameters(['invoices', 'grants', 'amounts'] as const);
const GRANT_USE = namedParameters(['grants', 'amounts'] as const);
const CARRIED = namedParameters(['organizations', 'amounts', 'grantedAt'] as const);
const COUNTERS = namedParameters(['organizations', 'sequences'] as const);
const ROLL = namedParameters(['organizations', 'canceled', 'downgraded', 'requestedBy'] as const);

/** `k(org, ps)`: the wave's (organisation, period start) pairs, to join a period's rows by. */
const periodKeys = `unnest(${PERIODS.sql.organizations}::uuid[], ${PERIODS.sql.periodStarts}::timestamptz[]) AS k(org, ps)`;

const INSERT_SQL = (() => {
  const $ = INSERT.sql;
  return `WITH inv AS (
    INSERT INTO invoices (id, organization_id, sequence, number, status, period_start, period_end, currency, subtotal, credits_applied, total,
                          amount_paid, issued_at, due_date, payment_due_at, paid_at)
    SELECT k.id, k.org, k.seq, k.num, k.status::invoice_status, k.ps, k.pe, k.cur, k.sub, k.cred, k.tot, 0, k.pe, k.due, k.pay, k.paid
      FROM unnest(${$.id}::uuid[], ${$.organization}::uuid[], ${$.sequence}::int[], ${$.number}::text[], ${$.status}::text[],
                  ${$.periodStart}::timestamptz[], ${$.periodEnd}::timestamptz[], ${$.currency}::text[], ${$.subtotal}::numeric[],
                  ${$.creditsApplied}::numeric[], ${$.total}::numeric[], ${$.dueDate}::timestamptz[], ${$.paymentDueAt}::timestamptz[],
                  ${$.paidAt}::timestamptz[])
           AS k(id, org, seq, num, status, ps, pe, cur, sub, cred, tot, due, pay, paid)
    ON CONFLICT (organization_id, period_start) WHERE kind = 'PERIOD' DO NOTHING
    RETURNING *
  ), lines AS (
    INSERT INTO invoice_lines (organization_id, invoice_id, position, kind, description, metric_code, quantity, unit_price, amount)
    SELECT inv.organization_id, l.* FROM unnest(${$.lineInvoice}::uuid[], ${$.linePosition}::int[], ${$.lineKind}::text[], ${$.lineDescription}::text[],
                           ${$.lineMetric}::text[], ${$.lineQuantity}::numeric[], ${$.lineUnitPrice}::numeric[], ${$.lineAmount}::numeric[])
           AS l(invoice_id, position, kind, description, metric_code, quantity, unit_price, amount)
      JOIN inv ON inv.id = l.invoice_id
  ), invoice_events AS (
    -- Issued, and paid at once when credits covered it: the events of the whole batch in this statement.
    SELECT inv.organization_id, e.type, ${invoiceEventData('inv')} AS data, NULL::text AS dedup_key
      FROM inv CROSS JOIN LATERAL (SELECT '${PlatformEventType.INVOICE_ISSUED}'::text AS type
                                   UNION ALL SELECT '${PlatformEventType.INVOICE_PAID}' WHERE inv.status = '${InvoiceStatus.PAID}') e
  ), ${platformEventCtes('invoice_events')}
  SELECT id FROM inv`;
})();

/**
 * Invoices and their lines as array literals for one insert: done while the
 * previous batch is written, since serialising thousands of values is the
 * close's own CPU work.
 */
export function prepareInvoices(invoices: NewInvoice[]): PreparedInvoices {
  const lines = invoices.flatMap((i) => i.lines.map((line, position) => ({ invoiceId: i.id, position, line })));
  const columns = INSERT.values({
    id: invoices.map((i) => i.id),
    organization: invoices.map((i) => i.organizationId),
    sequence: invoices.map((i) => i.sequence),
    number: invoices.map((i) => i.number),
    status: invoices.map((i) => i.status),
    periodStart: invoices.map((i) => iso(i.periodStart)),
    periodEnd: invoices.map((i) => iso(i.periodEnd)),
    currency: invoices.map((i) => i.currency),
    subtotal: invoices.map((i) => i.subtotal),
    creditsApplied: invoices.map((i) => i.creditsApplied),
    total: invoices.map((i) => i.total),
    dueDate: invoices.map((i) => iso(i.dueDate)),
    paymentDueAt: invoices.map((i) => iso(i.paymentDueAt)),
    paidAt: invoices.map((i) => (i.paidAt ? iso(i.paidAt) : null)),
    lineInvoice: lines.map((l) => l.invoiceId),
    linePosition: lines.map((l) => l.position),
    lineKind: lines.map((l) => l.line.kind),
    lineDescription: lines.map((l) => l.line.description),
    lineMetric: lines.map((l) => l.line.metric),
    lineQuantity: lines.map((l) => l.line.quantity),
    lineUnitPrice: lines.map((l) => l.line.unitPrice),
    lineAmount: lines.map((l) => l.line.amount),
  });
  return { invoices, values: columns.map((c) => textArray(c as Array<string | number | null>)) };
}

/**
 * The SQL of a billing close, one transaction's worth: it reads and writes
 * other modules' tables (subscriptions, usage totals, items, credits,
 * invoices), each statement set-based over a whole wave.
 */
export class BillingCloseStore {
  constructor(private readonly tx: EntityManager) {}

  /** One closer at a time, so that the subscription locks are always taken in one order. */
  async lockCloser(): Promise<void> {
    await this.tx.query(`SELECT pg_advisory_xact_lock(hashtext('meterly_billing_close'))`);
  }

  /** Up to `limit` active subscriptions whose period ended on their organisation's clock, locked, by organisation. */
  lockDue(filter: CloseFilter, limit: number): Promise<DueSubscription[]> {
    const $ = DUE.sql;
    return this.tx.query(
      `SELECT s.organization_id, o.name AS organization_name, s.plan_id, s.period_plan_id, s.pending_plan_id, s.cancel_at_period_end,
              s.current_period_start, s.current_period_end, o.currency
         FROM plan_subscriptions s JOIN organizations o ON o.id = s.organization_id
        WHERE s.status = 'active' AND s.current_period_end <= organization_now(o)
          AND (${$.organization}::uuid IS NULL OR s.organization_id = ${$.organization})
          AND (${$.periodEnd}::timestamptz IS NULL OR s.current_period_end = ${$.periodEnd})
        ORDER BY s.organization_id
        LIMIT ${$.limit}
          FOR UPDATE OF s`,
      DUE.values({
        organization: filter.organizationId ?? null,
        periodEnd: filter.periodEnd ? iso(filter.periodEnd) : null,
        limit,
      }),
    );
  }

  /** Everything the due subscriptions' invoices are built from, one query a table. */
  async loadWave(due: DueSubscription[]): Promise<WaveInputs> {
    const organizations = due.map((d) => d.organization_id);
    const periods = PERIODS.values({ organizations, periodStarts: due.map((d) => iso(d.current_period_start)) });
    const byOrganization = ORGANIZATIONS.values({ organizations });
    // A transaction has one connection: its queries run one after the other.
    const totals: UsageTotalRow[] = await this.tx.query(
      `SELECT t.organization_id, t.metric_id, t.quantity, t.cost FROM usage_totals t
         JOIN ${periodKeys} ON t.organization_id = k.org AND t.period_start = k.ps`,
      periods,
    );
    const items: PendingItemRow[] = await this.tx.query(
      `SELECT i.id, i.organization_id, i.kind, i.description, i.quantity, i.unit_price, i.amount FROM invoice_items i
         JOIN ${periodKeys} ON i.organization_id = k.org AND i.period_start = k.ps
        WHERE i.invoice_id IS NULL ORDER BY i.created_at, i.amount, i.id`,
      periods,
    );
    const grants: GrantRow[] = await this.tx.query(
      `SELECT id, organization_id, remaining, expires_at, granted_at FROM credit_grants
        WHERE organization_id = ANY(${ORGANIZATIONS.sql.organizations}::uuid[]) AND remaining > 0`,
      byOrganization,
    );
    const counters: CounterRow[] = await this.tx.query(
      `SELECT organization_id, last_sequence FROM invoice_counters WHERE organization_id = ANY(${ORGANIZATIONS.sql.organizations}::uuid[])`,
      byOrganization,
    );
    const priceTotals: PriceTotalRow[] = await this.tx.query(
      `SELECT p.organization_id, p.metric_id, p.label, p.unit_price, p.quantity, p.cost FROM usage_price_totals p
         JOIN ${periodKeys} ON p.organization_id = k.org AND p.period_start = k.ps`,
      periods,
    );
    return { totals, priceTotals, items, grants, counters };
  }

  /**
   * The invoices and their lines in one statement; one whose (organisation,
   * period) exists already is skipped with its lines. The ids written.
   */
  async insertInvoices(prepared: PreparedInvoices): Promise<Set<string>> {
    const inserted: Array<{ id: string }> = await this.tx.query(INSERT_SQL, prepared.values);
    return new Set(inserted.map((r) => r.id));
  }

  /** Pending items now billed on an invoice. */
  async attachItems(links: Array<{ itemId: string; invoiceId: string }>): Promise<void> {
    if (links.length === 0) return;
    const $ = ITEMS.sql;
    await this.tx.query(
      `UPDATE invoice_items SET invoice_id = k.invoice FROM unnest(${$.items}::uuid[], ${$.invoices}::uuid[]) AS k(id, invoice)
        WHERE invoice_items.id = k.id`,
      ITEMS.values({ items: links.map((l) => l.itemId), invoices: links.map((l) => l.invoiceId) }),
    );
  }

  /** Credits used by the invoices, recorded and taken off their grants. */
  async applyCredits(applications: Array<{ invoiceId: string; grantId: string; amount: string }>): Promise<void> {
    if (applications.length === 0) return;
    const grants = applications.map((a) => a.grantId);
    const amounts = applications.map((a) => a.amount);
    const $ = APPLICATIONS.sql;
    await this.tx.query(
      `INSERT INTO credit_applications (organization_id, invoice_id, grant_id, amount)
       SELECT g.organization_id, k.* FROM unnest(${$.invoices}::uuid[], ${$.grants}::uuid[], ${$.amounts}::numeric[]) AS k(invoice_id, grant_id, amount)
         JOIN credit_grants g ON g.id = k.grant_id`,
      APPLICATIONS.values({ invoices: applications.map((a) => a.invoiceId), grants, amounts }),
    );
    const used = GRANT_USE.sql;
    await this.tx.query(
      `UPDATE credit_grants g SET remaining = g.remaining - k.amount
         FROM (SELECT grant_id, sum(amount) AS amount FROM unnest(${used.grants}::uuid[], ${used.amounts}::numeric[]) AS u(grant_id, amount)
                GROUP BY grant_id) AS k
        WHERE g.id = k.grant_id`,
      GRANT_USE.values({ grants, amounts }),
    );
  }

  /** A credit invoice's negative subtotal, back on the balance as new grants. */
  async carryOver(grants: Array<{ organizationId: string; amount: string; grantedAt: Date }>): Promise<void> {
    if (grants.length === 0) return;
    const $ = CARRIED.sql;
    await this.tx.query(
      `INSERT INTO credit_grants (organization_id, amount, remaining, reason, granted_at)
       SELECT k.org, k.amount, k.amount, 'Carried over from a credit invoice', k.at
         FROM unnest(${$.organizations}::uuid[], ${$.amounts}::numeric[], ${$.grantedAt}::timestamptz[]) AS k(org, amount, at)`,
      CARRIED.values({
        organizations: grants.map((g) => g.organizationId),
        amounts: grants.map((g) => g.amount),
        grantedAt: grants.map((g) => iso(g.grantedAt)),
      }),
    );
  }

  /** Each organisation's last invoice number. */
  async advanceCounters(counters: Array<{ organizationId: string; sequence: number }>): Promise<void> {
    if (counters.length === 0) return;
    const $ = COUNTERS.sql;
    await this.tx.query(
      `INSERT INTO invoice_counters (organization_id, last_sequence) SELECT * FROM unnest(${$.organizations}::uuid[], ${$.sequences}::int[])
       ON CONFLICT (organization_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence`,
      COUNTERS.values({ organizations: counters.map((c) => c.organizationId), sequences: counters.map((c) => c.sequence) }),
    );
  }

  /** Next period; a scheduled downgrade takes effect, a scheduled cancellation ends the subscription. */
  async rollSubscriptions(organizations: string[], requestedBy: string): Promise<void> {
    const $ = ROLL.sql;
    await this.tx.query(
      `WITH changes AS (
         INSERT INTO plan_changes (organization_id, kind, from_plan_id, to_plan_id, effective_at, requested_by)
         SELECT s.organization_id, CASE WHEN s.cancel_at_period_end THEN ${$.canceled} ELSE ${$.downgraded} END, s.plan_id,
                CASE WHEN s.cancel_at_period_end THEN NULL ELSE s.pending_plan_id END, s.current_period_end, ${$.requestedBy}
           FROM plan_subscriptions s
          WHERE s.organization_id = ANY(${$.organizations}::uuid[]) AND (s.cancel_at_period_end OR s.pending_plan_id IS NOT NULL)
         RETURNING *),
       change_events AS (
         SELECT organization_id, '${PlatformEventType.SUBSCRIPTION_CHANGED}'::text AS type, ${planChangeEventData('changes')} AS data,
                NULL::text AS dedup_key FROM changes),
       ${platformEventCtes('change_events')}
       SELECT count(*)::int AS changed FROM changes`,
      ROLL.values({ organizations, canceled: PlanChangeKind.CANCELED, downgraded: PlanChangeKind.DOWNGRADED, requestedBy }),
    );
    await this.tx.query(
      `UPDATE plan_subscriptions s SET
         current_period_start = s.current_period_end,
         current_period_end = (date_trunc('month', s.current_period_end AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC',
         plan_id = coalesce(s.pending_plan_id, s.plan_id),
         period_plan_id = coalesce(s.pending_plan_id, s.plan_id),
         pending_plan_id = NULL,
         status = CASE WHEN s.cancel_at_period_end THEN 'canceled' ELSE s.status END,
         updated_at = now()
       WHERE s.organization_id = ANY(${ORGANIZATIONS.sql.organizations}::uuid[])`,
      ORGANIZATIONS.values({ organizations }),
    );
  }
}
