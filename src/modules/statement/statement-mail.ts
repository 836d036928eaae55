import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney } from '../../common/money/decimal';
import { StatementKind } from './statement-delivery.entity';

/** What a statement email says of its invoice: the stored invoice's figures, unrounded. */
export interface StatementFacts {
  kind: StatementKind;
  organizationName: string;
  number: string;
  currency: string;
  /** Half-open: [periodStart, periodEnd). */
  periodStart: Date;
  periodEnd: Date;
  total: string;
  amountPaid: string;
  dueDate: Date | null;
  paidAt: Date | null;
}

export interface StatementMail {
  subject: string;
  text: string;
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** The subject and plain-text body; the invoice itself is the attached PDF. */
export function statementMail(f: StatementFacts): StatementMail {
  const decimals = minorUnits(f.currency);
  const money = (amount: string | Dec) => `${f.currency} ${roundMoney(amount, decimals)}`;
  const due = new Dec(f.total).minus(f.amountPaid);
  // The period is half-open; people read its last day, the instant before its end.
  const period = `${day(f.periodStart)} to ${day(new Date(f.periodEnd.getTime() - 1))}`;
  if (f.kind === StatementKind.RECEIPT) {
    return {
      subject: `Receipt for invoice ${f.number}: ${money(f.total)} paid`,
      text: [
        `Thank you: invoice ${f.number} for ${f.organizationName} is paid.`,
        '',
        `Billing period: ${period}`,
        `Amount paid: ${money(f.amountPaid)}`,
        `Paid on: ${f.paidAt ? day(f.paidAt) : '-'}`,
        '',
        'The invoice, marked paid, is attached as a PDF.',
      ].join('\n'),
    };
  }
  const settled = due.lessThanOrEqualTo(0);
  return {
    subject: settled
      ? `Invoice ${f.number}: ${money(f.total)}, nothing to pay`
      : `Invoice ${f.number}: ${money(due)} due ${f.dueDate ? day(f.dueDate) : 'now'}`,
    text: [
      `Invoice ${f.number} for ${f.organizationName} has been issued.`,
      '',
      `Billing period: ${period}`,
      `Total: ${money(f.total)}`,
      `Amount due: ${money(settled ? '0' : due)}`,
      `Due date: ${f.dueDate ? day(f.dueDate) : '-'}`,
      '',
      'The invoice is attached as a PDF.',
    ].join('\n'),
  };
}
