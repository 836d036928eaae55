import { extractPdfText as extract } from '../../../../test/helpers/pdf-text';
import { renderInvoicePdf, type InvoicePdfData } from '../invoice-pdf';

const LONG_DESCRIPTION =
  'GPU inference minutes on the shared a100 pool across every region, including the overflow capacity that was borrowed from the batch tier during the March incident';

const usdInvoice: InvoicePdfData = {
  number: 'INV-3F2A9C1B-0001',
  status: 'OPEN',
  organizationName: 'Acme Rockets Ltd',
  currency: 'USD',
  periodStart: new Date('2026-03-01T00:00:00Z'),
  periodEnd: new Date('2026-04-01T00:00:00Z'),
  issuedAt: new Date('2026-04-01T00:00:00Z'),
  dueDate: new Date('2026-04-15T00:00:00Z'),
  lines: [
    { description: 'Pro plan', quantity: '1', unitPrice: null, amount: '19.00' },
    { description: 'API requests', quantity: '3', unitPrice: '0.3333', amount: '1.00' },
    { description: LONG_DESCRIPTION, quantity: '120.5', unitPrice: '0.0830', amount: '10.01' },
  ],
  subtotal: '30.01',
  creditsApplied: '10.00',
  total: '20.01',
  amountDue: '20.01',
};

const jpyInvoice: InvoicePdfData = {
  number: 'INV-3F2A9C1B-0002',
  status: 'DRAFT',
  organizationName: 'Yamada Shoji',
  currency: 'JPY',
  periodStart: new Date('2026-03-01T00:00:00Z'),
  periodEnd: new Date('2026-04-01T00:00:00Z'),
  issuedAt: null,
  dueDate: null,
  lines: [
    { description: 'Yen plan', quantity: '1', unitPrice: '1500', amount: '1500' },
    { description: 'X', quantity: '5', unitPrice: '0.35', amount: '2' },
  ],
  subtotal: '1502',
  creditsApplied: '0',
  total: '1502',
  amountDue: '1502',
};

const squash = (s: string): string => s.replace(/\s+/g, ' ');

describe('renderInvoicePdf', () => {
  it('renders a readable USD invoice', async () => {
    const pdf = await renderInvoicePdf(usdInvoice);

    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const { text, title, pages } = extract(pdf);
    expect(title).toBe('Invoice INV-3F2A9C1B-0001');
    expect(pages).toBe(1);
    expect(text).toContain('Invoice INV-3F2A9C1B-0001');
    expect(text).toContain('Acme Rockets Ltd');
    expect(text).toMatch(/Status\s+OPEN/);
    expect(text).toMatch(/Billing period\s+2026-03-01 to 2026-03-31/);
    expect(text).toMatch(/Issue date\s+2026-04-01/);
    expect(text).toMatch(/Due date\s+2026-04-15/);
    expect(text).toMatch(/Subtotal\s+USD 30\.01/);
    expect(text).toMatch(/Credits applied\s+USD 10\.00/);
    expect(text).toMatch(/(^|\n)Total\s+USD 20\.01/);
    expect(text).toMatch(/Amount due\s+USD 20\.01/);
    expect(text).toMatch(/API requests\s+3\s+USD 0\.3333\s+USD 1\.00/);
  });

  it('wraps a long description onto several lines instead of running into the other columns', async () => {
    const { text } = extract(await renderInvoicePdf(usdInvoice));

    const start = text.indexOf('GPU inference');
    const end = text.indexOf('March incident');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const rendered = text.slice(start, end + 'March incident'.length);
    expect(rendered.split('\n').length).toBeGreaterThanOrEqual(3);
    // Depending on the parser's reading order, the row's other cells may come between the wrapped lines.
    expect(squash(rendered.replace(/\s*120\.5\s+USD 0\.0830\s+USD 10\.01\s*/, ' '))).toBe(LONG_DESCRIPTION);
  });

  it('prints zero-decimal currencies as given (JPY)', async () => {
    const pdf = await renderInvoicePdf(jpyInvoice);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const { text } = extract(pdf);
    expect(text).toContain('Invoice INV-3F2A9C1B-0002');
    expect(text).toMatch(/Yen plan\s+1\s+JPY 1500\s+JPY 1500/);
    expect(text).toMatch(/(^|\n)Total\s+JPY 1502/);
    expect(text).toMatch(/Amount due\s+JPY 1502/);
    expect(text).toMatch(/Issue date\s+-/);
    expect(text).not.toContain('1502.');
  });

  it('continues the table on a new page with its header repeated', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => ({
      description: `Metric ${i + 1}`,
      quantity: '1',
      unitPrice: '1.00',
      amount: '1.00',
    }));
    const { text, pages } = extract(await renderInvoicePdf({ ...usdInvoice, lines }));

    expect(pages).toBe(2);
    expect(text.match(/Description\s+Quantity\s+Unit price\s+Amount/g)).toHaveLength(2);
    for (let i = 1; i <= 60; i++) expect(text).toMatch(new RegExp(`Metric ${i}\\s+1\\s+USD 1\\.00`));
    expect(text).toMatch(/Amount due\s+USD 20\.01/);
  });
});

describe('renderInvoicePdf with the largest figures', () => {
  const digits = (s: string): string => s.replace(/[^0-9]/g, '');

  it('renders the largest amounts the database holds, each figure whole', async () => {
    // Stored sums and invoice figures stay below 1e40; quantities have at most 20 decimals.
    const quantity = `${'9'.repeat(40)}.${'9'.repeat(20)}`;
    const amount = `-${'9'.repeat(40)}.99`;
    const lines = Array.from({ length: 30 }, () => ({ description: 'Largest', quantity, unitPrice: quantity, amount }));
    const { text } = extract(
      await renderInvoicePdf({ ...usdInvoice, lines, subtotal: amount, creditsApplied: amount, total: amount, amountDue: amount }),
    );
    expect(digits(text)).toContain(digits(`${quantity}${quantity}${amount}`));
    expect(squash(text)).toMatch(/Amount due\s+USD -9{5}/);
  });

  it('renders a figure longer than any the database holds, wrapped inside its column', async () => {
    const figure = '7'.repeat(200);
    const { text } = extract(
      await renderInvoicePdf({ ...usdInvoice, lines: [{ description: 'Huge', quantity: figure, unitPrice: null, amount: '1.00' }] }),
    );
    expect(digits(text)).toContain(figure);
  });
});
