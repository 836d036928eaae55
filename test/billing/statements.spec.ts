import {
  AdvanceTestClockDocument,
  ChangePlanDocument,
  CreatePlanDocument,
  InvoicesDocument,
  MarkInvoicePaidDocument,
  SetBillingContactDocument,
} from '../generated/graphql';
import { mailAttachments, mailHeader, mailText, startMailCapture, type CapturedMail, type MailCapture } from '../helpers/mail-capture';
import { extractPdfText } from '../helpers/pdf-text';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { planWithOrganization, record } from '../helpers/usage-fixtures';
import { waitFor } from '../helpers/wait-for';

interface DeliveryRow {
  kind: string;
  recipient: string;
  attempts: number;
  delivered: boolean;
  smtp_message_id: string | null;
  last_error: string | null;
}

describe('statements by email', () => {
  let t: TestServer;
  let smtp: MailCapture;
  /** Recipients whose next messages the SMTP server refuses for now (451), by how many are left. */
  const busy = new Map<string, number>();
  let sequence = 0;

  beforeAll(async () => {
    smtp = await startMailCapture({
      refuseRecipient: (address) => (address.startsWith('nobody@') ? { code: 550, message: 'No such mailbox' } : undefined),
      refuseData: ([to]) => {
        const left = busy.get(to ?? '') ?? 0;
        if (left === 0) return undefined;
        busy.set(to!, left - 1);
        return { code: 451, message: 'Try again later' };
      },
    });
    t = await startTestServer({ smtpUrl: smtp.url, alertRetryBaseMs: 50 });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** An organisation on a $29 plan with 10 calls at $0.50 in March (total 34.00), and these billing contacts. */
  async function organizationWithMarch(contacts: string[], server = t) {
    const code = `stmt_${process.pid}_${++sequence}`;
    const org = await planWithOrganization(server.admin, [{ code, unit: 'call', aggregation: 'SUM' }], {
      code: `plan_${code}`,
      name: `Statement ${sequence}`,
      currency: 'USD',
      basePrice: '29',
      charges: [{ metric: code, model: 'PER_UNIT', unitPrice: '0.5' }],
    });
    for (const email of contacts) await server.admin.data(SetBillingContactDocument, { organizationId: org, email });
    await record(server.admin, org, [{ id: 'march', metric: code, quantity: '10', timestamp: '2026-03-10T12:00:00Z' }]);
    return org;
  }
  const close = (org: string, server = t) =>
    server.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T12:00:00Z' });
  const invoiceOf = async (org: string) =>
    (await t.admin.data(InvoicesDocument, { organizationId: org, first: 1 })).invoices.edges[0]!.node;
  const deliveries = (invoiceId: string): Promise<DeliveryRow[]> =>
    t.db.query(
      `SELECT kind, recipient, attempts, delivered_at IS NOT NULL AS delivered, smtp_message_id, last_error
         FROM statement_deliveries WHERE invoice_id = $1 ORDER BY kind, recipient`,
      [invoiceId],
    );
  /** The statements of one invoice that reached the SMTP server, once there are `count` of them. */
  const mailsAbout = (number: string, prefix: 'Invoice' | 'Receipt', count: number) =>
    waitFor(() => {
      const found = smtp.mails.filter((m) =>
        mailHeader(m.raw, 'subject')?.startsWith(`${prefix === 'Invoice' ? 'Invoice' : 'Receipt for invoice'} ${number}`),
      );
      return found.length >= count ? found : undefined;
    });
  const pdfText = (mail: CapturedMail) => {
    const [pdf, ...others] = mailAttachments(mail.raw);
    expect(others).toEqual([]);
    expect(pdf!.contentType).toBe('application/pdf');
    return { filename: pdf!.filename, text: extractPdfText(pdf!.content).text };
  };

  it('mails each billing contact the issued invoice as a PDF with its total, then a receipt once it is paid by hand', async () => {
    const org = await organizationWithMarch(['ap@acme.test', 'cfo@acme.test']);
    await close(org);
    const invoice = await invoiceOf(org);
    expect(invoice.total.amount).toBe('34.00');
    const number = invoice.number!;

    const statements = await mailsAbout(number, 'Invoice', 2);
    expect(statements.map((m) => m.to).sort()).toEqual([['ap@acme.test'], ['cfo@acme.test']]);
    for (const mail of statements) {
      expect(mailHeader(mail.raw, 'subject')).toBe(`Invoice ${number}: USD 34.00 due 2026-04-01`);
      expect(mailText(mail.raw)).toContain(
        ['Billing period: 2026-03-01 to 2026-03-31', 'Total: USD 34.00', 'Amount due: USD 34.00', 'Due date: 2026-04-01'].join('\n'),
      );
      const { filename, text } = pdfText(mail);
      expect(filename).toBe(`invoice-${number}.pdf`);
      expect(text).toContain(`Invoice ${number}`);
      expect(text).toMatch(/Status\s+OPEN/);
      expect(text).toMatch(/Total\s+USD 34\.00/);
    }
    // Each acceptance is recorded with the Message-ID the message carried.
    const issued = await waitFor(async () => {
      const rows = await deliveries(invoice.id);
      return rows.every((r) => r.delivered) ? rows : undefined;
    });
    expect(issued.map((r) => [r.kind, r.recipient, r.attempts])).toEqual([
      ['invoice', 'ap@acme.test', 1],
      ['invoice', 'cfo@acme.test', 1],
    ]);
    expect(statements.map((m) => mailHeader(m.raw, 'message-id')).sort()).toEqual(issued.map((r) => r.smtp_message_id).sort());

    await t.admin.data(MarkInvoicePaidDocument, { id: invoice.id });
    const receipts = await mailsAbout(number, 'Receipt', 2);
    for (const mail of receipts) {
      expect(mailHeader(mail.raw, 'subject')).toBe(`Receipt for invoice ${number}: USD 34.00 paid`);
      expect(mailText(mail.raw)).toContain(['Amount paid: USD 34.00', 'Paid on: 2026-04-01'].join('\n'));
      const { text } = pdfText(mail);
      expect(text).toMatch(/Status\s+PAID/);
      expect(text).toMatch(/Paid on\s+2026-04-01/);
      expect(text).toMatch(/Amount due\s+USD 0\.00/);
    }
    expect(receipts.map((m) => m.to[0]).sort()).toEqual(['ap@acme.test', 'cfo@acme.test']);
  });

  it('mails the statement of an invoice issued outside a close: an upgrade billed in advance', async () => {
    const code = `stmt_adv_${process.pid}`;
    const plan = (suffix: string, basePrice: string) => ({
      code: `${code}_${suffix}`,
      name: `Advance ${suffix}`,
      currency: 'USD',
      basePrice,
      baseFeeTiming: 'IN_ADVANCE' as const,
      charges: [{ metric: code, model: 'PER_UNIT' as const, unitPrice: '0' }],
    });
    const org = await planWithOrganization(t.admin, [{ code, unit: 'call', aggregation: 'SUM' }], plan('basic', '10'));
    await t.admin.data(CreatePlanDocument, { input: plan('pro', '41') });
    await t.admin.data(SetBillingContactDocument, { organizationId: org, email: 'advance@example.com' });
    await t.admin.data(ChangePlanDocument, { input: { organizationId: org, planCode: `${code}_pro` } });
    // Two invoices of March: the opening fee (issued before any contact was set) and the upgrade's difference.
    const { edges } = (await t.admin.data(InvoicesDocument, { organizationId: org, first: 10 })).invoices;
    expect(edges).toHaveLength(2);
    const upgrade = edges.map((e) => e.node).find((i) => !i.lines[0]!.description.startsWith('Advance basic plan'))!;
    expect(upgrade.number).toBeTruthy();
    const [mail] = await mailsAbout(upgrade.number!, 'Invoice', 1);
    expect(mail!.to).toEqual(['advance@example.com']);
    expect(pdfText(mail!).text).toContain(upgrade.total.amount);
  });

  it('retries a message the server refused for now until it takes it, and gives up at once on a refused mailbox', async () => {
    busy.set('busy@acme.test', 2);
    const org = await organizationWithMarch(['busy@acme.test', 'nobody@acme.test']);
    await close(org);
    const invoice = await invoiceOf(org);
    const rows = await waitFor(async () => {
      const found = await deliveries(invoice.id);
      return found.every((r) => r.delivered || r.attempts >= 12) ? found : undefined;
    });
    expect(rows.map((r) => [r.recipient, r.delivered, r.attempts])).toEqual([
      ['busy@acme.test', true, 3],
      // A permanent refusal (5xx) uses up the attempts: the row keeps why nothing was sent.
      ['nobody@acme.test', false, 12],
    ]);
    expect(rows[1]!.last_error).toContain('No such mailbox');
    expect(smtp.mails.filter((m) => m.to.includes('busy@acme.test'))).toHaveLength(1);
  });

  it('queues nothing for an organisation without a billing contact, nor on a server without SMTP', async () => {
    const lonely = await organizationWithMarch([]);
    await close(lonely);
    expect(await deliveries((await invoiceOf(lonely)).id)).toEqual([]);

    const withoutSmtp = await startTestServer({}, t);
    try {
      const org = await organizationWithMarch(['ap@elsewhere.test'], withoutSmtp);
      await close(org, withoutSmtp);
      expect(await deliveries((await invoiceOf(org)).id)).toEqual([]);
    } finally {
      await withoutSmtp.close();
    }
  });
});
