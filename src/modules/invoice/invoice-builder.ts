import { Dec, roundMoney, ZERO } from '../../common/money/decimal';
import { lineAmount, type UsageCharge } from '../rating/usage-lines';
import { InvoiceLineKind } from './invoice-line.entity';

export interface LineDraft {
  kind: InvoiceLineKind;
  description: string;
  metric: string | null;
  quantity: string;
  unitPrice: string | null;
  /** Rounded to the currency's minor unit. */
  amount: string;
}

export interface AvailableGrant {
  id: string;
  remaining: Dec;
  expiresAt: Date | null;
  grantedAt: Date;
}

export interface InvoiceDraft {
  lines: LineDraft[];
  subtotal: string;
  creditsApplied: string;
  applications: Array<{ grantId: string; amount: string }>;
  /** subtotal − credits: what the invoice asks for. */
  total: string;
  /** A negative subtotal, returned to the balance as a new grant. */
  carryOver: string;
  dueDate: Date;
  paymentDueAt: Date;
}

/** A base fee billed in advance: the plan's fee for a whole period [start, end). */
export interface AdvanceFee {
  planName: string;
  amount: string;
  start: Date;
  end: Date;
}

export interface InvoiceInput {
  decimals: number;
  /** When the invoice is issued: the period's end for a close. Due dates and credit expiry count from it. */
  periodEnd: Date;
  paymentTermsDays: number;
  /** The ended period's fee, billed in arrears. */
  baseFee: { planName: string; amount: string } | null;
  /** The next period's fee, billed in advance by the close that starts it: the last line. */
  advanceFee?: AdvanceFee | null;
  usage: UsageCharge[];
  items: LineDraft[];
  grants: AvailableGrant[];
}

const DAY = 24 * 3600_000;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The days of [start, end) as invoices name them: "2026-03-16 to 2026-03-31". */
export function periodSpan(start: Date, end: Date): string {
  return `${isoDay(start)} to ${isoDay(new Date(end.getTime() - 1))}`;
}

/** An issued invoice's number: the organisation's id prefix and its gapless sequence (`1A2B3C4D-0001`). */
export function invoiceNumber(organizationId: string, sequence: number): string {
  return `${organizationId.slice(0, 8).toUpperCase()}-${String(sequence).padStart(4, '0')}`;
}

/** The first weekday (UTC) on or after `at`: charges run on the first business day of the month. */
export function firstBusinessDay(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
  return day < at ? at : day;
}

/** Grants usable at `at`, in the order they are consumed: the soonest to expire first, then the oldest. */
export function grantsInUseOrder(grants: AvailableGrant[], at: Date): AvailableGrant[] {
  return grants
    .filter((g) => g.remaining.greaterThan(0) && (g.expiresAt === null || g.expiresAt > at))
    .sort((a, b) => {
      if (a.expiresAt && b.expiresAt && a.expiresAt.getTime() !== b.expiresAt.getTime())
        return a.expiresAt.getTime() - b.expiresAt.getTime();
      if (a.expiresAt && !b.expiresAt) return -1;
      if (!a.expiresAt && b.expiresAt) return 1;
      return a.grantedAt.getTime() - b.grantedAt.getTime();
    });
}

/**
 * An invoice for one closed period, as pure arithmetic: each line rounded
 * once to the currency, lines summed into the subtotal, then credits applied
 * first and only the rest due.
 */
export function buildInvoice(input: InvoiceInput): InvoiceDraft {
  const { decimals } = input;
  const lines: LineDraft[] = [];
  if (input.baseFee && new Dec(input.baseFee.amount).greaterThan(0)) {
    lines.push({
      kind: InvoiceLineKind.BASE_FEE,
      description: `${input.baseFee.planName} plan`,
      metric: null,
      quantity: '1',
      unitPrice: input.baseFee.amount,
      amount: roundMoney(input.baseFee.amount, decimals),
    });
  }
  lines.push(...input.items);
  for (const usage of input.usage) {
    if (usage.quantity.isZero() && usage.cost.isZero()) continue;
    lines.push({
      kind: InvoiceLineKind.USAGE,
      description: usage.description,
      metric: usage.metric,
      quantity: usage.quantity.toFixed(),
      unitPrice: usage.unitPrice,
      amount: lineAmount(usage, decimals),
    });
  }
  // The period the close starts comes after the one it ends.
  const advance = input.advanceFee;
  if (advance && new Dec(advance.amount).greaterThan(0)) {
    lines.push({
      kind: InvoiceLineKind.BASE_FEE,
      description: `${advance.planName} plan, ${periodSpan(advance.start, advance.end)}`,
      metric: null,
      quantity: '1',
      unitPrice: advance.amount,
      amount: roundMoney(advance.amount, decimals),
    });
  }

  const subtotal = lines.reduce((sum, line) => sum.plus(line.amount), ZERO);
  let toCover = Dec.max(ZERO, subtotal);
  const applications: InvoiceDraft['applications'] = [];
  for (const grant of grantsInUseOrder(input.grants, input.periodEnd)) {
    if (toCover.isZero()) break;
    const used = Dec.min(grant.remaining, toCover);
    applications.push({ grantId: grant.id, amount: used.toFixed() });
    toCover = toCover.minus(used);
  }
  const credits = applications.reduce((sum, a) => sum.plus(a.amount), ZERO);
  const total = Dec.max(ZERO, subtotal).minus(credits);
  return {
    lines,
    subtotal: subtotal.toFixed(decimals),
    creditsApplied: credits.toFixed(decimals),
    applications,
    total: total.toFixed(decimals),
    carryOver: subtotal.isNegative() ? subtotal.negated().toFixed(decimals) : '0',
    dueDate: new Date(input.periodEnd.getTime() + input.paymentTermsDays * DAY),
    paymentDueAt: firstBusinessDay(input.periodEnd),
  };
}

/** The share of a period still to come at `at`, for prorating a base fee by time. */
export function remainingShare(periodStart: Date, periodEnd: Date, at: Date): Dec {
  const length = periodEnd.getTime() - periodStart.getTime();
  const left = Math.min(Math.max(periodEnd.getTime() - at.getTime(), 0), length);
  return new Dec(left).div(length);
}
