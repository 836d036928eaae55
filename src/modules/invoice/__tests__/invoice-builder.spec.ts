import { Dec } from '../../../common/money/decimal';
import {
  buildInvoice,
  firstBusinessDay,
  grantsInUseOrder,
  invoiceNumber,
  periodSpan,
  remainingShare,
  type InvoiceInput,
} from '../invoice-builder';
import { InvoiceLineKind } from '../invoice-line.entity';

const END = new Date('2026-04-01T00:00:00Z');
const input = (extra: Partial<InvoiceInput>): InvoiceInput => ({
  decimals: 2,
  periodEnd: END,
  paymentTermsDays: 0,
  baseFee: { planName: 'Pro', amount: '19' },
  usage: [],
  items: [],
  grants: [],
  ...extra,
});
const grant = (id: string, remaining: string, expiresAt: string | null, grantedAt = '2026-01-01T00:00:00Z') => ({
  id,
  remaining: new Dec(remaining),
  expiresAt: expiresAt ? new Date(expiresAt) : null,
  grantedAt: new Date(grantedAt),
});

const proration = {
  kind: InvoiceLineKind.PRORATION,
  description: 'Unused Lite plan',
  metric: null,
  quantity: '0.5',
  unitPrice: '-6',
  amount: '-3.00',
};

describe('buildInvoice', () => {
  it('rounds each line once and sums the rounded lines', () => {
    const draft = buildInvoice(
      input({
        usage: [
          { metric: 'a', description: 'A', quantity: new Dec('3'), unitPrice: '0.3333', cost: new Dec('0.9999') },
          { metric: 'b', description: 'B', quantity: new Dec('1'), unitPrice: null, cost: new Dec('0.005') },
          { metric: 'c', description: 'C', quantity: new Dec('0'), unitPrice: null, cost: new Dec('0') },
        ],
      }),
    );
    expect(draft.lines.map((l) => [l.kind, l.amount])).toEqual([
      [InvoiceLineKind.BASE_FEE, '19.00'],
      [InvoiceLineKind.USAGE, '1.00'],
      [InvoiceLineKind.USAGE, '0.01'],
    ]);
    expect([draft.subtotal, draft.creditsApplied, draft.total]).toEqual(['20.01', '0.00', '20.01']);
  });

  it('applies credits first, the soonest to expire first, and leaves the rest due', () => {
    const draft = buildInvoice(
      input({
        grants: [
          grant('never', '100', null),
          grant('june', '5', '2026-06-01T00:00:00Z'),
          grant('may', '3', '2026-05-01T00:00:00Z'),
          grant('expired', '50', '2026-03-15T00:00:00Z'),
        ],
        baseFee: { planName: 'Pro', amount: '10' },
      }),
    );
    expect(draft.applications).toEqual([
      { grantId: 'may', amount: '3' },
      { grantId: 'june', amount: '5' },
      { grantId: 'never', amount: '2' },
    ]);
    expect([draft.subtotal, draft.creditsApplied, draft.total]).toEqual(['10.00', '10.00', '0.00']);
  });

  it('uses a currency without minor units as is (JPY)', () => {
    const draft = buildInvoice(
      input({
        decimals: 0,
        baseFee: { planName: 'Yen', amount: '1500' },
        usage: [{ metric: 'x', description: 'X', quantity: new Dec(5), unitPrice: '0.35', cost: new Dec('1.75') }],
      }),
    );
    expect([draft.lines[1]?.amount, draft.total]).toEqual(['2', '1502']);
  });

  it('returns a negative subtotal to the balance instead of asking for it', () => {
    const draft = buildInvoice(
      input({
        baseFee: null,
        items: [{ kind: InvoiceLineKind.PRORATION, description: 'credit', metric: null, quantity: '1', unitPrice: null, amount: '-4.50' }],
      }),
    );
    expect([draft.subtotal, draft.total, draft.carryOver]).toEqual(['-4.50', '0.00', '4.50']);
  });

  it('bills the next period’s fee in advance as its last line, named by its days', () => {
    const advanceFee = { planName: 'Pro', amount: '49.995', start: END, end: new Date('2026-05-01T00:00:00Z') };
    const draft = buildInvoice(input({ baseFee: null, advanceFee, items: [{ ...proration, amount: '-3.00' }] }));
    expect(draft.lines.map((l) => [l.kind, l.description, l.amount])).toEqual([
      [InvoiceLineKind.PRORATION, 'Unused Lite plan', '-3.00'],
      [InvoiceLineKind.BASE_FEE, 'Pro plan, 2026-04-01 to 2026-04-30', '50.00'],
    ]);
    expect(draft.subtotal).toBe('47.00');
  });

  it("is due after the plan's terms, collected on the first business day", () => {
    expect(buildInvoice(input({ paymentTermsDays: 30 })).dueDate.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    // 1 August 2026 is a Saturday: the charge runs on Monday the 3rd.
    expect(firstBusinessDay(new Date('2026-08-01T00:00:00Z')).toISOString()).toBe('2026-08-03T00:00:00.000Z');
    expect(firstBusinessDay(new Date('2026-04-01T00:00:00Z')).toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });
});

describe('invoice names', () => {
  it('name a period by its first and last day, and number invoices per organisation', () => {
    expect(periodSpan(new Date('2026-01-16T10:30:00Z'), new Date('2026-02-01T00:00:00Z'))).toBe('2026-01-16 to 2026-01-31');
    expect(invoiceNumber('1a2b3c4d-0000-4000-8000-000000000000', 12)).toBe('1A2B3C4D-0012');
  });
});

describe('proration and credit order', () => {
  it('measures the share of the period left', () => {
    expect(
      remainingShare(new Date('2026-04-01T00:00:00Z'), new Date('2026-05-01T00:00:00Z'), new Date('2026-04-16T00:00:00Z')).toFixed(),
    ).toBe('0.5');
  });

  it('orders grants: expiring ones by date, then those without expiry by age', () => {
    const order = grantsInUseOrder(
      [
        grant('b', '1', null, '2026-02-01T00:00:00Z'),
        grant('a', '1', null, '2026-01-01T00:00:00Z'),
        grant('x', '1', '2026-09-01T00:00:00Z'),
      ],
      END,
    );
    expect(order.map((g) => g.id)).toEqual(['x', 'a', 'b']);
  });
});
