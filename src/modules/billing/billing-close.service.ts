import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { minorUnits } from '../../common/money/currency';
import { Dec } from '../../common/money/decimal';
import { monthPeriod } from '../../common/time/billing-period';
import { buildInvoice, invoiceNumber, type AvailableGrant, type InvoiceDraft, type LineDraft } from '../invoice/invoice-builder';
import { issuedStatus } from '../invoice/invoice-lifecycle';
import { InvoiceStatus } from '../invoice/invoice-status';
import { BaseFeeTiming } from '../plan/base-fee-timing';
import type { PlanTerms, RatingCatalog } from '../rating/rating-catalog';
import { usageLines, type RateCell } from '../rating/usage-lines';
import {
  BillingCloseStore,
  prepareInvoices,
  type CloseFilter,
  type DueSubscription,
  type NewInvoice,
  type PreparedInvoices,
  type PriceTotalRow,
} from './billing-close.store';

export interface CloseProgress {
  wave: number;
  closed: number;
}

/** What the close needs of its store: BillingCloseStore's methods (a test may give others). */
export type CloseStore = Pick<BillingCloseStore, keyof BillingCloseStore>;

/** An invoice as written, with the draft it was built from (its credits and carry-over). */
interface ClosedInvoice {
  invoice: NewInvoice;
  draft: InvoiceDraft;
}

function groupByOrganization<T extends { organization_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const group = map.get(row.organization_id);
    if (group) group.push(row);
    else map.set(row.organization_id, [row]);
  }
  return map;
}

/** Rate-card metrics are billed one line per price: the per-price totals kept at ingest, by organisation and metric. */
function rateCardSplits(rows: PriceTotalRow[]): Map<string, Map<string, RateCell[]>> {
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
 * invoices in memory, and write everything back set-based (the SQL is in
 * BillingCloseStore). The unique (organisation, period) index makes a
 * repeated or concurrent close a no-op; a test clock that jumped several
 * months closes one month per wave.
 */
export class BillingCloseService {
  private readonly issuedListeners: Array<(tx: EntityManager, invoiceIds: string[]) => Promise<void>> = [];

  constructor(
    private readonly db: DataSource,
    private readonly catalog: RatingCatalog,
    private readonly logger: Logger,
    private readonly chunkSize = 2000,
    private readonly writeBatchSize = 250,
    private readonly storeOf: (tx: EntityManager) => CloseStore = (tx) => new BillingCloseStore(tx),
  ) {}

  /** Told, inside each wave's transaction, of the invoices it issued (statements are queued there). */
  onIssued(listener: (tx: EntityManager, invoiceIds: string[]) => Promise<void>): void {
    this.issuedListeners.push(listener);
  }

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
    const store = this.storeOf(tx);
    await store.lockCloser();
    const due = await store.lockDue(filter, this.chunkSize);
    if (due.length === 0) return null;

    const inputs = await store.loadWave(due);
    const metrics = new Map((await this.catalog.allMetrics()).map((m) => [m.id, m]));
    const terms = new Map<string, PlanTerms>();
    for (const planId of new Set(due.flatMap((d) => [d.plan_id, d.period_plan_id, d.pending_plan_id ?? d.plan_id])))
      terms.set(planId, await this.catalog.planTerms(planId, tx));
    const splits = rateCardSplits(inputs.priceTotals);
    const totalsByOrg = groupByOrganization(inputs.totals);
    const itemsByOrg = groupByOrganization(inputs.items);
    const grantsByOrg = groupByOrganization(inputs.grants);
    const lastSequence = new Map(inputs.counters.map((c) => [c.organization_id, c.last_sequence]));

    const close = (sub: DueSubscription): ClosedInvoice => {
      const planTerms = terms.get(sub.plan_id)!;
      const periodTerms = terms.get(sub.period_plan_id)!;
      // The plan of the period the close starts: its fee is billed now when it is paid in advance.
      const nextPlan = sub.cancel_at_period_end ? null : terms.get(sub.pending_plan_id ?? sub.plan_id)!.plan;
      const next = monthPeriod(sub.current_period_end);
      const usage = usageLines(
        (totalsByOrg.get(sub.organization_id) ?? []).map((t) => ({
          metricId: t.metric_id,
          quantity: new Dec(t.quantity),
          cost: new Dec(t.cost),
        })),
        planTerms.charges,
        metrics,
        splits.get(sub.organization_id),
      );
      const draft = buildInvoice({
        decimals: minorUnits(sub.currency),
        periodEnd: sub.current_period_end,
        paymentTermsDays: planTerms.plan.paymentTermsDays,
        // An ended period whose fee was invoiced in advance (at its start) has no fee line now.
        baseFee:
          periodTerms.plan.baseFeeTiming !== BaseFeeTiming.IN_ADVANCE
            ? { planName: periodTerms.plan.name, amount: periodTerms.plan.basePriceAmount }
            : null,
        advanceFee:
          nextPlan?.baseFeeTiming === BaseFeeTiming.IN_ADVANCE
            ? { planName: nextPlan.name, amount: nextPlan.basePriceAmount, start: next.start, end: next.end }
            : null,
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
      // Nothing left to pay (credits covered it): issued PAID at the period's end.
      const status = issuedStatus(new Dec(draft.total).isZero());
      const invoice: NewInvoice = {
        id: randomUUID(),
        organizationId: sub.organization_id,
        sequence,
        number: invoiceNumber(sub.organization_id, sequence),
        status,
        periodStart: sub.current_period_start,
        periodEnd: sub.current_period_end,
        currency: sub.currency,
        subtotal: draft.subtotal,
        creditsApplied: draft.creditsApplied,
        total: draft.total,
        dueDate: draft.dueDate,
        paymentDueAt: draft.paymentDueAt,
        paidAt: status === InvoiceStatus.PAID ? sub.current_period_end : null,
        lines: draft.lines,
      };
      return { invoice, draft };
    };

    const written = await pipelined(
      due,
      this.writeBatchSize,
      (batch): { closed: ClosedInvoice[]; prepared: PreparedInvoices } => {
        const closed = batch.map(close);
        return { closed, prepared: prepareInvoices(closed.map((c) => c.invoice)) };
      },
      async ({ closed, prepared }) => {
        const kept = await store.insertInvoices(prepared);
        return closed.filter((c) => kept.has(c.invoice.id));
      },
    );
    await this.writeDetails(store, written, itemsByOrg);
    await store.rollSubscriptions(
      due.map((d) => d.organization_id),
      requestedBy,
    );
    const ids = written.map((c) => c.invoice.id);
    for (const listener of this.issuedListeners) await listener(tx, ids);
    return ids;
  }

  /** What the written invoices consumed: their pending items, credits used or carried over, and the numbering. */
  private async writeDetails(store: CloseStore, written: ClosedInvoice[], itemsByOrg: Map<string, Array<{ id: string }>>): Promise<void> {
    await store.attachItems(
      written.flatMap(({ invoice }) =>
        (itemsByOrg.get(invoice.organizationId) ?? []).map((item) => ({ itemId: item.id, invoiceId: invoice.id })),
      ),
    );
    await store.applyCredits(written.flatMap(({ invoice, draft }) => draft.applications.map((a) => ({ invoiceId: invoice.id, ...a }))));
    await store.carryOver(
      written
        .filter(({ draft }) => new Dec(draft.carryOver).greaterThan(0))
        .map(({ invoice, draft }) => ({ organizationId: invoice.organizationId, amount: draft.carryOver, grantedAt: invoice.periodEnd })),
    );
    await store.advanceCounters(written.map(({ invoice }) => ({ organizationId: invoice.organizationId, sequence: invoice.sequence })));
  }
}
