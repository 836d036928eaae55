import { StatementKind } from '../statement-delivery.entity';
import { statementMail, type StatementFacts } from '../statement-mail';

const march: StatementFacts = {
  kind: StatementKind.INVOICE,
  organizationName: 'Acme Rockets',
  number: 'ACME-0007',
  currency: 'USD',
  periodStart: new Date('2026-03-01T00:00:00Z'),
  periodEnd: new Date('2026-04-01T00:00:00Z'),
  total: '34.5',
  amountPaid: '0',
  dueDate: new Date('2026-05-01T00:00:00Z'),
  paidAt: null,
};

describe('statementMail', () => {
  it('tells the amount due, the period (its last day included) and the due date, in the currency’s minor units', () => {
    const mail = statementMail(march);
    expect(mail.subject).toBe('Invoice ACME-0007: USD 34.50 due 2026-05-01');
    expect(mail.text).toBe(
      [
        'Invoice ACME-0007 for Acme Rockets has been issued.',
        '',
        'Billing period: 2026-03-01 to 2026-03-31',
        'Total: USD 34.50',
        'Amount due: USD 34.50',
        'Due date: 2026-05-01',
        '',
        'The invoice is attached as a PDF.',
      ].join('\n'),
    );
  });

  it('says there is nothing to pay when credits covered the invoice', () => {
    const mail = statementMail({ ...march, currency: 'JPY', total: '0', amountPaid: '0' });
    expect(mail.subject).toBe('Invoice ACME-0007: JPY 0, nothing to pay');
    expect(mail.text).toContain('Amount due: JPY 0\n');
  });

  it('thanks for the payment in a receipt', () => {
    const mail = statementMail({ ...march, kind: StatementKind.RECEIPT, amountPaid: '34.5', paidAt: new Date('2026-04-03T09:00:00Z') });
    expect(mail.subject).toBe('Receipt for invoice ACME-0007: USD 34.50 paid');
    expect(mail.text).toContain('Amount paid: USD 34.50\nPaid on: 2026-04-03');
  });
});
