import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { textArray } from '../../common/database/pg-array';
import type { DataSource, EntityManager } from 'typeorm';
import { minorUnits } from '../../common/money/currency';
import { Dec } from '../../common/money/decimal';
import { buildInvoice, type AvailableGrant, type InvoiceDraft, type LineDraft } from '../invoice/invoice-builder';
import type { InvoiceLineKind } from '../invoice/invoice-line.entity';
import { InvoiceStatus } from '../invoice/invoice-status';
import { PlanChangeKind } from '../subscription/plan-change.entity';
import type { PlanTerms, RatingCatalog } from '../rating/rating-catalog';
import { usageLines, type RateCell } from '../rating/usage-lines';

export interface CloseFilter {
  organizationId?: string;
  /** Only the period ending then. */
  periodEnd?: Date;
}

export interface CloseProgress {
  wave: number;
  closed: number;
}

interface DueSubscription {
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

interface PendingItem {
  id: string;
  organization_id: string;
  kind: InvoiceLineKind;
  description: string;
  quantity: string;
  unit_price: string | null;
  amount: string;
}

interface DraftInvoice {
  id: string;
  sub: DueSubscription;
  draft: InvoiceDraft;
  sequence: number;
  number: string;
}

const iso = (d: Date) => d.toISOString();

function groupByOrganization<T extends { organization_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const group = map.get(row.organization_id);
    if (group) group.push(row);
    else map.set(row.organization_id, [row]);
  }
  return map;
}

interface InvoiceBatch {
  invoices: DraftInvoice[];
  /** The parameters of BillingCloseService.insertInvoices, as array literals. */
  params: string[];
}

/** Invoices and their lines as the parameters of one insert, serialised here (while the previous batch is written). */
function invoiceBatch(invoices: DraftInvoice[]): InvoiceBatch {
  const lines = invoices.flatMap((i) => i.draft.lines.map((line, position) => ({ invoiceId: i.id, position, line })));
  const paid = invoices.map((i) => new Dec(i.draft.total).isZero());
  const columns = [
    invoices.map((i) => i.id),
    invoices.map((i) => i.sub.organization_id),
    invoices.map((i) => i.sequence),
    invoices.map((i) => i.number),
    paid.map((p) => (p ? InvoiceStatus.PAID : InvoiceStatus.OPEN)),
    invoices.map((i) => iso(i.sub.current_period_start)),
    invoices.map((i) => iso(i.sub.current_period_end)),
    invoices.map((i) => i.sub.currency),
    invoices.map((i) => i.draft.subtotal),
    invoices.map((i) => i.draft.creditsApplied),
    invoices.map((i) => i.draft.total),
    invoices.map((i) => iso(i.draft.dueDate)),
    invoices.map((i) => iso(i.draft.paymentDueAt)),
    invoices.map((i, n) => (paid[n] ? iso(i.sub.current_period_end) : null)),
    lines.map((l) => l.invoiceId),
    lines.map((l) => l.position),
    lines.map((l) => l.line.kind),
    lines.map((l) => l.line.description),
    lines.map((l) => l.line.metric),
    lines.map((l) => l.line.quantity),
    lines.map((l) => l.line.unitPrice),
    lines.map((l) => l.line.amount),
  ];
  return { invoices, params: columns.map(textArray) };
}

/**
 * Builds `items` in batches and writes each batch while the next is built, so
 * that Node computes while PostgreSQL writes. One statement at a time is in
 * flight (a transaction has one connection); a failure waits for it first.
 */
async function pipelined<I, D, R>(items: I[], size: number, build: (batch: I[]) => D, write: (built: D) => Promise<R[]>): Promise<R[]> {
  const results: R[] = [];
  let writing: Promise<R[]> = Promise.resolve([]);
  try {
    for (let i = 0; i < items.length; i += size) {
      const built = build(items.slice(i, i + size));
      results.push(...(await writing));
      writing = write(built);
      writing.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
      // Let the statement go out before the next build keeps this thread busy.
      await nextTurn();
    }
    results.push(...(await writing));
    return results;
  } catch (err) {
    await writing.catch(() => undefined);
    throw err;
  }
}

/**
 * Closes ended periods into invoices. Works in waves of up to `chunkSize`
 * organisations, each one transaction: lock the due subscriptions, read all
 * their usage, items, credits and counters in a few queries, build the
 * invoices in memory, and write everything back set-based. The unique
 * (organisation, period) index makes a repeated or concurrent close a no-op;
 * a test clock that jumped several months closes one month per wave.
 */
export class BillingCloseService {
  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
    private readonly logger: Logger,
    private readonly chunkSize = 2000,
    private readonly writeBatchSize = 250,
  ) {}

  async closeDue(filter: CloseFilter, requestedBy: string, onProgress?: (p: CloseProgress) => void): Promise<string[]> {
    const created: string[] = [];
    for (let wave = 1; ; wave++) {
      const ids = await this.db.transaction((tx) => this.closeWave(tx, filter, requestedBy));
      if (ids === null) break;
      created.push(...ids);
      const progress = { wave, closed: created.length };
      this.logger.info(progress, 'billing close: wave done');
      onProgress?.(progress);
    }
    return created;
  }

  /** One wave; null when nothing is due any more. */
  private async closeWave(tx: EntityManager, filter: CloseFilter, requestedBy: string): Promise<string[] | null> {
    // One closer at a time: the subscription locks below are taken in one order.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('meterly_billing_close'))`);
    const due: DueSubscription[] = await tx.query(
      `SELECT s.organization_id, o.name AS organization_name, s.plan_id, s.period_plan_id, s.pending_plan_id, s.cancel_at_period_end,
              s.current_period_start, s.current_period_end, o.currency
         FROM plan_subscriptions s JOIN organizations o ON o.id = s.organization_id
        WHERE s.status = 'active' AND s.current_period_end <= coalesce(o.test_clock_at, now())
          AND ($1::uuid IS NULL OR s.organization_id = $1) AND ($2::timestamptz IS NULL OR s.current_period_end = $2)
        ORDER BY s.organization_id
        LIMIT $3
          FOR UPDATE OF s`,
      [filter.organizationId ?? null, filter.periodEnd ? iso(filter.periodEnd) : null, this.chunkSize],
    );
    if (due.length === 0) return null;

    const orgIds = due.map((d) => d.organization_id);
    const starts = due.map((d) => iso(d.current_period_start));
    // A transaction has one connection: its queries run one after the other.
    const totals: Array<{ organization_id: string; metric_id: string; quantity: string; cost: string }> = await tx.query(
      `SELECT t.organization_id, t.metric_id, t.quantity, t.cost FROM usage_totals t
         JOIN unnest($1::uuid[], $2::timestamptz[]) AS k(org, ps) ON t.organization_id = k.org AND t.period_start = k.ps`,
      [orgIds, starts],
    );
    const items: PendingItem[] = await tx.query(
      // A proration's credit comes before its charge.
      `SELECT i.id, i.organization_id, i.kind, i.description, i.quantity, i.unit_price, i.amount FROM invoice_items i
           JOIN unnest($1::uuid[], $2::timestamptz[]) AS k(org, ps) ON i.organization_id = k.org AND i.period_start = k.ps
          WHERE i.invoice_id IS NULL ORDER BY i.created_at, i.amount, i.id`,
      [orgIds, starts],
    );
    const grants: Array<{ id: string; organization_id: string; remaining: string; expires_at: Date | null; granted_at: Date }> =
      await tx.query(
        'SELECT id, organization_id, remaining, expires_at, granted_at FROM credit_grants WHERE organization_id = ANY($1::uuid[]) AND remaining > 0',
        [orgIds],
      );
    const counters: Array<{ organization_id: string; last_sequence: number }> = await tx.query(
      'SELECT organization_id, last_sequence FROM invoice_counters WHERE organization_id = ANY($1::uuid[])',
      [orgIds],
    );

    const metrics = new Map((await this.catalog.allMetrics(true)).map((m) => [m.id, m]));
    const rateCardSplits = await this.rateCardSplits(tx, orgIds, starts);
    const terms = new Map<string, PlanTerms>();
    for (const planId of new Set(due.flatMap((d) => [d.plan_id, d.period_plan_id])))
      terms.set(planId, await this.catalog.planTerms(planId, tx));
    const totalsByOrg = groupByOrganization(totals);
    const itemsByOrg = groupByOrganization(items);
    const grantsByOrg = groupByOrganization(grants);
    const lastSequence = new Map(counters.map((c) => [c.organization_id, c.last_sequence]));

    const draft = (sub: DueSubscription): DraftInvoice => {
      const planTerms = terms.get(sub.plan_id)!;
      const periodTerms = terms.get(sub.period_plan_id)!;
      const usage = usageLines(
        (totalsByOrg.get(sub.organization_id) ?? []).map((t) => ({
          metricId: t.metric_id,
          quantity: new Dec(t.quantity),
          cost: new Dec(t.cost),
        })),
        planTerms.charges,
        metrics,
        rateCardSplits.get(sub.organization_id),
      );
      const invoice = buildInvoice({
        decimals: minorUnits(sub.currency),
        periodEnd: sub.current_period_end,
        paymentTermsDays: planTerms.plan.paymentTermsDays,
        baseFee: { planName: periodTerms.plan.name, amount: periodTerms.plan.basePriceAmount },
        usage,
        items: (itemsByOrg.get(sub.organization_id) ?? []).map((i): LineDraft => ({
          kind: i.kind,
          description: i.description,
          metric: null,
          quantity: i.quantity,
          unitPrice: i.unit_price,
          amount: i.amount,
        })),
        grants: (grantsByOrg.get(sub.organization_id) ?? []).map((g): AvailableGrant => ({
          id: g.id,
          remaining: new Dec(g.remaining),
          expiresAt: g.expires_at,
          grantedAt: g.granted_at,
        })),
      });
      const sequence = (lastSequence.get(sub.organization_id) ?? 0) + 1;
      const number = `${sub.organization_id.slice(0, 8).toUpperCase()}-${String(sequence).padStart(4, '0')}`;
      return { id: randomUUID(), sub, draft: invoice, sequence, number };
    };

    const written = await pipelined(
      due,
      this.writeBatchSize,
      (batch) => invoiceBatch(batch.map(draft)),
      (batch) => this.insertInvoices(tx, batch),
    );
    await this.writeDetails(tx, written, itemsByOrg);
    await this.rollSubscriptions(tx, due, requestedBy);
    return written.map((i) => i.id);
  }

  /**
   * The invoices and their lines in one statement; an invoice whose
   * (organisation, period) exists already is skipped with its lines. The ones written.
   */
  private async insertInvoices(tx: EntityManager, batch: InvoiceBatch): Promise<DraftInvoice[]> {
    const inserted: Array<{ id: string }> = await tx.query(
      `WITH inv AS (
         INSERT INTO invoices (id, organization_id, sequence, number, status, period_start, period_end, currency, subtotal, credits_applied, total,
                               amount_paid, issued_at, due_date, payment_due_at, paid_at)
         SELECT k.id, k.org, k.seq, k.num, k.status::invoice_status, k.ps, k.pe, k.cur, k.sub, k.cred, k.tot, 0, k.pe, k.due, k.pay, k.paid
           FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[],
                       $9::numeric[], $10::numeric[], $11::numeric[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[])
                AS k(id, org, seq, num, status, ps, pe, cur, sub, cred, tot, due, pay, paid)
         ON CONFLICT (organization_id, period_start) DO NOTHING
         RETURNING id, organization_id
       ), lines AS (
         INSERT INTO invoice_lines (organization_id, invoice_id, position, kind, description, metric_code, quantity, unit_price, amount)
         SELECT inv.organization_id, l.* FROM unnest($15::uuid[], $16::int[], $17::text[], $18::text[], $19::text[], $20::numeric[], $21::numeric[], $22::numeric[])
                AS l(invoice_id, position, kind, description, metric_code, quantity, unit_price, amount)
           JOIN inv ON inv.id = l.invoice_id
       )
       SELECT id FROM inv`,
      batch.params,
    );
    const kept = new Set(inserted.map((r) => r.id));
    return batch.invoices.filter((i) => kept.has(i.id));
  }

  /** Rate-card metrics are billed one line per price: the per-price totals kept at ingest. */
  private async rateCardSplits(tx: EntityManager, orgIds: string[], starts: string[]): Promise<Map<string, Map<string, RateCell[]>>> {
    const rows: Array<{
      organization_id: string;
      metric_id: string;
      label: string;
      unit_price: string | null;
      quantity: string;
      cost: string;
    }> = await tx.query(
      `SELECT p.organization_id, p.metric_id, p.label, p.unit_price, p.quantity, p.cost FROM usage_price_totals p
         JOIN unnest($1::uuid[], $2::timestamptz[]) AS k(org, ps) ON p.organization_id = k.org AND p.period_start = k.ps`,
      [orgIds, starts],
    );
    const result = new Map<string, Map<string, RateCell[]>>();
    for (const r of rows) {
      const perMetric = result.get(r.organization_id) ?? new Map<string, RateCell[]>();
      const cell: RateCell = {
        dimensions: {},
        label: r.label,
        unitPrice: r.unit_price,
        quantity: new Dec(r.quantity),
        cost: new Dec(r.cost),
      };
      const cells = perMetric.get(r.metric_id);
      if (cells) cells.push(cell);
      else perMetric.set(r.metric_id, [cell]);
      result.set(r.organization_id, perMetric);
    }
    return result;
  }

  /** What the written invoices consumed: their pending items, credits used or carried over, and the numbering. */
  private async writeDetails(tx: EntityManager, invoices: DraftInvoice[], itemsByOrg: Map<string, Array<{ id: string }>>): Promise<void> {
    if (invoices.length === 0) return;
    const itemLinks = invoices.flatMap((i) => (itemsByOrg.get(i.sub.organization_id) ?? []).map((item) => [item.id, i.id] as const));
    if (itemLinks.length) {
      await tx.query(
        'UPDATE invoice_items SET invoice_id = k.invoice FROM unnest($1::uuid[], $2::uuid[]) AS k(id, invoice) WHERE invoice_items.id = k.id',
        [itemLinks.map((l) => l[0]), itemLinks.map((l) => l[1])],
      );
    }
    const applications = invoices.flatMap((i) => i.draft.applications.map((a) => ({ invoiceId: i.id, ...a })));
    if (applications.length) {
      await tx.query(
        `INSERT INTO credit_applications (organization_id, invoice_id, grant_id, amount)
         SELECT g.organization_id, k.* FROM unnest($1::uuid[], $2::uuid[], $3::numeric[]) AS k(invoice_id, grant_id, amount)
           JOIN credit_grants g ON g.id = k.grant_id`,
        [applications.map((a) => a.invoiceId), applications.map((a) => a.grantId), applications.map((a) => a.amount)],
      );
      await tx.query(
        `UPDATE credit_grants g SET remaining = g.remaining - k.amount
           FROM (SELECT grant_id, sum(amount) AS amount FROM unnest($1::uuid[], $2::numeric[]) AS u(grant_id, amount) GROUP BY grant_id) AS k
          WHERE g.id = k.grant_id`,
        [applications.map((a) => a.grantId), applications.map((a) => a.amount)],
      );
    }
    const carried = invoices.filter((i) => new Dec(i.draft.carryOver).greaterThan(0));
    if (carried.length) {
      await tx.query(
        `INSERT INTO credit_grants (organization_id, amount, remaining, reason, granted_at)
         SELECT k.org, k.amount, k.amount, 'Carried over from a credit invoice', k.at FROM unnest($1::uuid[], $2::numeric[], $3::timestamptz[]) AS k(org, amount, at)`,
        [
          carried.map((i) => i.sub.organization_id),
          carried.map((i) => i.draft.carryOver),
          carried.map((i) => iso(i.sub.current_period_end)),
        ],
      );
    }
    await tx.query(
      `INSERT INTO invoice_counters (organization_id, last_sequence) SELECT * FROM unnest($1::uuid[], $2::int[])
       ON CONFLICT (organization_id) DO UPDATE SET last_sequence = EXCLUDED.last_sequence`,
      [invoices.map((i) => i.sub.organization_id), invoices.map((i) => i.sequence)],
    );
  }

  /** Next period; a scheduled downgrade takes effect, a scheduled cancellation ends the subscription. */
  private async rollSubscriptions(tx: EntityManager, due: DueSubscription[], requestedBy: string): Promise<void> {
    const orgIds = due.map((d) => d.organization_id);
    await tx.query(
      `INSERT INTO plan_changes (organization_id, kind, from_plan_id, to_plan_id, effective_at, requested_by)
       SELECT s.organization_id, CASE WHEN s.cancel_at_period_end THEN $2 ELSE $3 END, s.plan_id,
              CASE WHEN s.cancel_at_period_end THEN NULL ELSE s.pending_plan_id END, s.current_period_end, $4
         FROM plan_subscriptions s
        WHERE s.organization_id = ANY($1::uuid[]) AND (s.cancel_at_period_end OR s.pending_plan_id IS NOT NULL)`,
      [orgIds, PlanChangeKind.CANCELED, PlanChangeKind.DOWNGRADED, requestedBy],
    );
    await tx.query(
      `UPDATE plan_subscriptions s SET
         current_period_start = s.current_period_end,
         current_period_end = (date_trunc('month', s.current_period_end AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC',
         plan_id = coalesce(s.pending_plan_id, s.plan_id),
         period_plan_id = coalesce(s.pending_plan_id, s.plan_id),
         pending_plan_id = NULL,
         status = CASE WHEN s.cancel_at_period_end THEN 'canceled' ELSE s.status END,
         updated_at = now()
       WHERE s.organization_id = ANY($1::uuid[])`,
      [orgIds],
    );
  }
}
