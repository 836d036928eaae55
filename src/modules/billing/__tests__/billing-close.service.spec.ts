import pino from 'pino';
import type { DataSource } from 'typeorm';
import { InvoiceLineKind } from '../../invoice/invoice-line.entity';
import { InvoiceStatus } from '../../invoice/invoice-status';
import { BaseFeeTiming } from '../../plan/base-fee-timing';
import { BillingCloseService, type CloseStore } from '../billing-close.service';
import type { CloseFilter, DueSubscription, NewInvoice, PreparedInvoices, WaveInputs } from '../billing-close.store';

type Catalog = ConstructorParameters<typeof BillingCloseService>[1];
type Terms = Awaited<ReturnType<Catalog['planTerms']>>;

const START = new Date('2026-03-01T00:00:00Z');
const END = new Date('2026-04-01T00:00:00Z');
const ORG_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const ORG_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const ORG_C = 'cccccccc-0000-4000-8000-000000000003';

const due = (organizationId: string): DueSubscription => ({
  organization_id: organizationId,
  organization_name: organizationId.slice(0, 8),
  plan_id: 'plan',
  period_plan_id: 'plan',
  pending_plan_id: null,
  cancel_at_period_end: false,
  current_period_start: START,
  current_period_end: END,
  currency: 'USD',
});

/** The close's store in memory: hands out waves and records what the close asked it to write. */
class MemoryStore implements CloseStore {
  readonly limits: number[] = [];
  readonly inserted: NewInvoice[] = [];
  readonly items: Array<{ itemId: string; invoiceId: string }> = [];
  readonly credits: Array<{ invoiceId: string; grantId: string; amount: string }> = [];
  readonly carried: Array<{ organizationId: string; amount: string; grantedAt: Date }> = [];
  readonly counters: Array<{ organizationId: string; sequence: number }> = [];
  readonly rolled: string[][] = [];
  locks = 0;

  constructor(
    private readonly waves: DueSubscription[][],
    private readonly inputs: WaveInputs,
    /** Organisations whose period has an invoice already: the insert skips theirs. */
    private readonly invoiced = new Set<string>(),
  ) {}

  async lockCloser(): Promise<void> {
    this.locks++;
  }
  async lockDue(_filter: CloseFilter, limit: number): Promise<DueSubscription[]> {
    this.limits.push(limit);
    return this.waves.shift() ?? [];
  }
  async loadWave(): Promise<WaveInputs> {
    return this.inputs;
  }
  async insertInvoices(prepared: PreparedInvoices): Promise<Set<string>> {
    const kept = prepared.invoices.filter((i) => !this.invoiced.has(i.organizationId));
    this.inserted.push(...kept);
    return new Set(kept.map((i) => i.id));
  }
  async attachItems(links: Array<{ itemId: string; invoiceId: string }>): Promise<void> {
    this.items.push(...links);
  }
  async applyCredits(applications: Array<{ invoiceId: string; grantId: string; amount: string }>): Promise<void> {
    this.credits.push(...applications);
  }
  async carryOver(grants: Array<{ organizationId: string; amount: string; grantedAt: Date }>): Promise<void> {
    this.carried.push(...grants);
  }
  async advanceCounters(counters: Array<{ organizationId: string; sequence: number }>): Promise<void> {
    this.counters.push(...counters);
  }
  async rollSubscriptions(organizations: string[]): Promise<void> {
    this.rolled.push(organizations);
  }
}

const NO_INPUTS: WaveInputs = { totals: [], priceTotals: [], items: [], grants: [], counters: [] };

function closerWith(store: MemoryStore, chunkSize = 10, writeBatchSize = 2): BillingCloseService {
  const db = { transaction: async <T>(work: (tx: never) => Promise<T>) => work(undefined as never) } as unknown as DataSource;
  const terms = {
    plan: { name: 'Pro', basePriceAmount: '10', paymentTermsDays: 14 },
    charges: new Map(),
  } as unknown as Terms;
  const catalog = { allMetrics: async () => [], planTerms: async () => terms } as unknown as Catalog;
  return new BillingCloseService(db, catalog, pino({ level: 'silent' }), chunkSize, writeBatchSize, () => store);
}

const invoiceOf = (store: MemoryStore, organizationId: string) => store.inserted.find((i) => i.organizationId === organizationId)!;

describe('BillingCloseService', () => {
  it('issues an invoice OPEN, or PAID at the period end when credits cover it, numbered after the last one', async () => {
    const store = new MemoryStore([[due(ORG_A), due(ORG_C)]], {
      ...NO_INPUTS,
      grants: [{ id: 'grant-a', organization_id: ORG_A, remaining: '25', expires_at: null, granted_at: START }],
      counters: [{ organization_id: ORG_A, last_sequence: 4 }],
    });
    const created = await closerWith(store).closeDue({}, 'test');

    const a = invoiceOf(store, ORG_A);
    const c = invoiceOf(store, ORG_C);
    expect(created).toEqual([a.id, c.id]);
    expect(a).toMatchObject({
      status: InvoiceStatus.PAID,
      paidAt: END,
      number: 'AAAAAAAA-0005',
      sequence: 5,
      subtotal: '10.00',
      creditsApplied: '10.00',
      total: '0.00',
      periodStart: START,
      periodEnd: END,
      currency: 'USD',
    });
    expect(c).toMatchObject({ status: InvoiceStatus.OPEN, paidAt: null, number: 'CCCCCCCC-0001', total: '10.00' });
    expect(c.dueDate).toEqual(new Date('2026-04-15T00:00:00Z'));
    expect(c.lines).toEqual([
      { kind: InvoiceLineKind.BASE_FEE, description: 'Pro plan', metric: null, quantity: '1', unitPrice: '10', amount: '10.00' },
    ]);
    expect(store.credits).toEqual([{ invoiceId: a.id, grantId: 'grant-a', amount: '10' }]);
    expect(store.counters).toEqual([
      { organizationId: ORG_A, sequence: 5 },
      { organizationId: ORG_C, sequence: 1 },
    ]);
    expect(store.rolled).toEqual([[ORG_A, ORG_C]]);
  });

  it('bills pending items and carries a credit invoice’s negative subtotal over as a grant', async () => {
    const store = new MemoryStore([[due(ORG_B)]], {
      ...NO_INPUTS,
      items: [
        {
          id: 'item-b',
          organization_id: ORG_B,
          kind: InvoiceLineKind.PRORATION,
          description: 'Unused Pro plan',
          quantity: '1',
          unit_price: null,
          amount: '-15.00',
        },
      ],
    });
    await closerWith(store).closeDue({}, 'test');
    const b = invoiceOf(store, ORG_B);
    expect(b).toMatchObject({ subtotal: '-5.00', total: '0.00', status: InvoiceStatus.PAID });
    expect(b.lines.map((l) => l.amount)).toEqual(['10.00', '-15.00']);
    expect(store.items).toEqual([{ itemId: 'item-b', invoiceId: b.id }]);
    expect(store.carried).toEqual([{ organizationId: ORG_B, amount: '5.00', grantedAt: END }]);
  });

  it('writes nothing else for an invoice the period has already, yet rolls its subscription on', async () => {
    const store = new MemoryStore(
      [[due(ORG_A), due(ORG_B)]],
      {
        ...NO_INPUTS,
        grants: [{ id: 'grant-a', organization_id: ORG_A, remaining: '25', expires_at: null, granted_at: START }],
      },
      new Set([ORG_A]),
    );
    const created = await closerWith(store).closeDue({}, 'test');
    expect(created).toEqual([invoiceOf(store, ORG_B).id]);
    expect(store.inserted.map((i) => i.organizationId)).toEqual([ORG_B]);
    expect(store.credits).toEqual([]);
    expect(store.counters).toEqual([{ organizationId: ORG_B, sequence: 1 }]);
    expect(store.rolled).toEqual([[ORG_A, ORG_B]]);
  });

  it('closes wave after wave, each under the closer’s lock, until none is due, and reports each', async () => {
    const store = new MemoryStore([[due(ORG_A), due(ORG_B)], [due(ORG_C)]], NO_INPUTS);
    const progress: Array<{ wave: number; closed: number }> = [];
    const created = await closerWith(store, 2, 1).closeDue({}, 'test', (p) => progress.push(p));
    expect(created).toHaveLength(3);
    expect(progress).toEqual([
      { wave: 1, closed: 2 },
      { wave: 2, closed: 3 },
    ]);
    expect(store.limits).toEqual([2, 2, 2]);
    expect(store.locks).toBe(3);
    expect(store.rolled).toEqual([[ORG_A, ORG_B], [ORG_C]]);
  });

  describe('with a base fee billed in advance', () => {
    const plans = {
      pro: { name: 'Pro', basePriceAmount: '99', paymentTermsDays: 0, baseFeeTiming: BaseFeeTiming.IN_ADVANCE },
      lite: { name: 'Lite', basePriceAmount: '29', paymentTermsDays: 0, baseFeeTiming: BaseFeeTiming.IN_ADVANCE },
      basic: { name: 'Basic', basePriceAmount: '19', paymentTermsDays: 0, baseFeeTiming: BaseFeeTiming.IN_ARREARS },
    };
    const closeOne = async (subscription: Partial<DueSubscription>) => {
      const store = new MemoryStore([[{ ...due(ORG_A), ...subscription }]], NO_INPUTS);
      const db = { transaction: async <T>(work: (tx: never) => Promise<T>) => work(undefined as never) } as unknown as DataSource;
      const catalog = {
        allMetrics: async () => [],
        planTerms: async (id: keyof typeof plans) => ({ plan: plans[id], charges: new Map() }) as unknown as Terms,
      } as unknown as Catalog;
      await new BillingCloseService(db, catalog, pino({ level: 'silent' }), 10, 2, () => store).closeDue({}, 'test');
      return invoiceOf(store, ORG_A).lines.map((l) => [l.description, l.amount]);
    };

    it('bills no fee for the ended period and the next period’s in full, last', async () => {
      expect(await closeOne({ plan_id: 'pro', period_plan_id: 'pro' })).toEqual([['Pro plan, 2026-04-01 to 2026-04-30', '99.00']]);
    });

    it('bills the plan a downgrade moves to, nothing after a cancellation, and an arrears period’s own fee', async () => {
      expect(await closeOne({ plan_id: 'pro', period_plan_id: 'pro', pending_plan_id: 'lite' })).toEqual([
        ['Lite plan, 2026-04-01 to 2026-04-30', '29.00'],
      ]);
      expect(await closeOne({ plan_id: 'pro', period_plan_id: 'pro', cancel_at_period_end: true })).toEqual([]);
      expect(await closeOne({ plan_id: 'pro', period_plan_id: 'basic' })).toEqual([
        ['Basic plan', '19.00'],
        ['Pro plan, 2026-04-01 to 2026-04-30', '99.00'],
      ]);
      expect(await closeOne({ plan_id: 'basic', period_plan_id: 'pro' })).toEqual([]);
    });
  });
});
