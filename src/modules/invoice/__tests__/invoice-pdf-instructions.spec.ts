import { extractPdfText as extract } from '../../../../test/helpers/pdf-text';
import { renderInvoicePdf, type InvoicePdfData } from '../invoice-pdf';

const invoice: InvoicePdfData = {
  number: 'INV-0001',
  status: 'OPEN',
  organizationName: 'Acme',
  currency: 'USD',
  periodStart: new Date('2026-03-01T00:00:00Z'),
  periodEnd: new Date('2026-04-01T00:00:00Z'),
  issuedAt: new Date('2026-04-01T00:00:00Z'),
  dueDate: new Date('2026-05-01T00:00:00Z'),
  lines: [{ description: 'Enterprise plan', quantity: '1', unitPrice: null, amount: '2000.00' }],
  subtotal: '2000.00',
  creditsApplied: '0.00',
  total: '2000.00',
  amountDue: '2000.00',
};

const squash = (s: string): string => s.replace(/\s+/g, ' ');

describe('renderInvoicePdf payment instructions', () => {
  it('prints each block under the totals, and none when there are none', async () => {
    const withBlocks = squash(
      extract(
        await renderInvoicePdf({
          ...invoice,
          paymentInstructions: [
            {
              heading: 'Pay USD 2000.00 by bank transfer (ach, domestic_wire_us)',
              fields: [
                ['Bank', 'STRIPE TEST BANK'],
                ['Account number', '111122223333'],
                ['Routing number', '999999999'],
              ],
            },
            { heading: 'Pay USD 2000.00 by bank transfer (swift)', fields: [['SWIFT code', 'TSTEZ122']] },
          ],
        }),
      ).text,
    );
    const order = [
      'Amount due USD 2000.00',
      'by bank transfer (ach',
      'Account number 111122223333',
      'Routing number 999999999',
      'SWIFT code TSTEZ122',
    ];
    const positions = order.map((text) => withBlocks.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const plain = squash(extract(await renderInvoicePdf(invoice)).text);
    expect(plain).not.toMatch(/bank transfer|Account number/);
  });

  it('never splits a block across pages', async () => {
    const fields: Array<[string, string]> = [
      ['Bank', 'STRIPE TEST BANK'],
      ['Account number', '111122223333'],
      ['Routing number', '999999999'],
    ];
    const blocks = Array.from({ length: 30 }, (_, i) => ({ heading: `Block ${i}`, fields }));
    const { pages, text } = extract(await renderInvoicePdf({ ...invoice, paymentInstructions: blocks }));
    expect(pages).toBeGreaterThan(1);
    for (let i = 0; i < blocks.length; i++)
      expect(text).toContain(`Block ${i}\nBank STRIPE TEST BANK\nAccount number 111122223333\nRouting number 999999999`);
  });
});
