import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { Role } from '../../src/common/auth/role';
import { Dec } from '../../src/common/money/decimal';
import { InvoiceExportService } from '../../src/modules/invoice/invoice-export';
import {
  AdvanceTestClockDocument,
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  InvoicesDocument,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { record } from '../helpers/usage-fixtures';

type Row = Record<string, string>;

describe('accounting export (CSV)', () => {
  let t: TestServer;
  let acme: string;
  let globex: string;
  const keys: Record<string, string> = {};

  /** GET /invoices/export.csv with these query parameters and key. */
  const exportCsv = (query: string, key?: string) =>
    fetch(`${t.server.url.replace(/\/graphql$/, '')}/invoices/export.csv?${query}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
  const rowsOf = async (res: Response): Promise<Row[]> => parse(await res.text(), { columns: true }) as Row[];
  const invoicesOf = async (org: string) =>
    (await t.admin.data(InvoicesDocument, { organizationId: org, first: 10 })).invoices.edges.map((e) => e.node);

  /** The CSV's rows grouped by invoice, each summed: what an accountant would check against the invoices. */
  function byInvoice(rows: Row[]) {
    const groups = new Map<string, Row[]>();
    for (const row of rows) groups.set(row.invoice_id!, [...(groups.get(row.invoice_id!) ?? []), row]);
    return new Map(
      [...groups].map(([id, lines]) => {
        const first = lines[0]!;
        // Every row of an invoice repeats the invoice's own figures.
        for (const line of lines) expect(line.invoice_total).toBe(first.invoice_total);
        const linesSum = lines.reduce((sum, l) => sum.plus(l.line_amount!), new Dec(0));
        return [id, { first, lines, linesSum }];
      }),
    );
  }

  /** Each invoice of the CSV against the API's: its lines, their sum (the subtotal), credits and total, to the cent. */
  async function expectMatchesInvoices(rows: Row[], organizations: string[]) {
    const invoices = (await Promise.all(organizations.map(invoicesOf))).flat();
    const exported = byInvoice(rows);
    for (const [id, { first, lines, linesSum }] of exported) {
      const invoice = invoices.find((i) => i.id === id);
      expect(invoice).toBeDefined();
      expect(first).toMatchObject({
        invoice_number: invoice!.number,
        status: invoice!.status,
        currency: 'USD',
        invoice_subtotal: invoice!.subtotal.amount,
        invoice_credits_applied: invoice!.creditsApplied.amount,
        invoice_total: invoice!.total.amount,
      });
      expect(linesSum.toFixed(2)).toBe(invoice!.subtotal.amount);
      expect(new Dec(first.invoice_subtotal!).minus(first.invoice_credits_applied!).toFixed(2)).toBe(invoice!.total.amount);
      expect(lines.map((l) => [l.line_number, l.line_description?.replace(/^'/, ''), l.line_amount])).toEqual(
        invoice!.lines.map((l, i) => [String(i + 1), l.description, l.amount.amount]),
      );
    }
    return exported;
  }

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.data(CreateMetricDocument, { input: { code: 'export_calls', unit: 'call', aggregation: 'SUM' } });
    await t.admin.data(CreateMetricDocument, { input: { code: 'export_tokens', unit: 'token', aggregation: 'SUM' } });
    // A plan name a spreadsheet would run as a formula, with a comma and quotes the CSV must quote.
    await t.admin.data(CreatePlanDocument, {
      input: {
        code: 'export_plan',
        name: '=SUM(A1), "Pro"',
        currency: 'USD',
        basePrice: '19.99',
        charges: [
          { metric: 'export_calls', model: 'PER_UNIT', unitPrice: '0.013', included: '100' },
          { metric: 'export_tokens', model: 'PER_UNIT', unitPrice: '0.00025' },
        ],
      },
    });
    const organization = async (name: string) =>
      (await t.admin.data(CreateOrganizationDocument, { input: { name, planCode: 'export_plan', testClock: '2026-03-10T00:00:00Z' } }))
        .createOrganization.id;
    [acme, globex] = [await organization('Acme, "Rockets" Ltd'), await organization('Globex')];
    for (const [org, calls] of [
      [acme, '1234'],
      [globex, '77'],
    ] as const) {
      const march = await record(t.admin, org, [
        { id: 'm1', metric: 'export_calls', quantity: calls, timestamp: '2026-03-05T10:00:00Z' },
        { id: 'm2', metric: 'export_tokens', quantity: '12345', timestamp: '2026-03-06T10:00:00Z' },
      ]);
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-10T00:00:00Z' });
      const april = await record(t.admin, org, [{ id: 'a1', metric: 'export_calls', quantity: '333', timestamp: '2026-04-05T10:00:00Z' }]);
      expect([march.accepted, april.accepted]).toEqual([2, 1]);
      await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-05-02T00:00:00Z' });
    }
    keys.acmeAdmin = await createApiKey(t.admin, acme, 'TENANT_ADMIN');
    keys.acmeBilling = await createApiKey(t.admin, acme, 'BILLING_CONTACT');
    keys.acmeMember = await createApiKey(t.admin, acme, 'MEMBER');
    keys.globexAdmin = await createApiKey(t.admin, globex, 'TENANT_ADMIN');
  });
  afterAll(() => t.close());

  it("gives an organisation's billing roles their invoices of a month, each line's amount exactly as invoiced", async () => {
    for (const key of [keys.acmeAdmin!, keys.acmeBilling!]) {
      const res = await exportCsv('month=2026-03', key);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="invoices-2026-03-01-to-2026-03-31-${acme.slice(0, 8)}.csv"`,
      );
      const rows = await rowsOf(res);
      const exported = await expectMatchesInvoices(rows, [acme]);
      expect(exported.size).toBe(1);
      expect(rows[0]).toMatchObject({
        organization_id: acme,
        organization_name: 'Acme, "Rockets" Ltd',
        period_start: '2026-03-01',
        period_end: '2026-03-31',
        issue_date: '2026-04-01',
        // 19.99 + (1234 - 100) × 0.013 = 14.742 → 14.74, 12345 × 0.00025 = 3.08625 → 3.09
        invoice_total: '37.82',
      });
      expect(rows.map((r) => [r.line_description, r.line_metric, r.line_quantity, r.line_amount])).toEqual([
        [`'=SUM(A1), "Pro" plan`, '', '1', '19.99'],
        [expect.any(String), 'export_calls', '1234', '14.74'],
        [expect.any(String), 'export_tokens', '12345', '3.09'],
      ]);
    }
  });

  it('takes a range of days, both included, and gives a platform admin every organisation or the one asked for', async () => {
    const twoMonths = await rowsOf(await exportCsv('from=2026-03-01&to=2026-04-30', keys.acmeAdmin));
    expect((await expectMatchesInvoices(twoMonths, [acme])).size).toBe(2);
    const everyone = await rowsOf(await exportCsv('month=2026-04', t.adminKey));
    const exported = await expectMatchesInvoices(everyone, [acme, globex]);
    expect(new Set([...exported.values()].map((e) => e.first.organization_id))).toEqual(new Set([acme, globex]));
    const justGlobex = await rowsOf(await exportCsv(`month=2026-04&organizationId=${globex}`, t.adminKey));
    expect(new Set(justGlobex.map((r) => r.organization_id))).toEqual(new Set([globex]));
    expect(await rowsOf(await exportCsv('month=2026-06', t.adminKey))).toEqual([]);
  });

  it('streams page by page: a page of one invoice gives the same CSV as one page of all', async () => {
    const admin = { apiKeyId: 'test', role: Role.PLATFORM_ADMIN, organizationId: null };
    const csvOf = async (service: InvoiceExportService) => {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      });
      await (await service.open(admin, { from: '2026-03-01', to: '2026-04-30' })).writeTo(sink);
      return Buffer.concat(chunks).toString('utf8');
    };
    const paged = await csvOf(new InvoiceExportService(t.db, 1));
    expect(paged).toBe(await csvOf(new InvoiceExportService(t.db)));
    expect(byInvoice(parse(paged, { columns: true }) as Row[]).size).toBe(4);
  });

  it("refuses other tenants, members and bad periods with the API's error codes and reasons", async () => {
    const refusal = async (query: string, key?: string) => {
      const res = await exportCsv(query, key);
      return [res.status, ((await res.json()) as { error: { code: string; reason?: string } }).error] as const;
    };
    expect(await refusal(`month=2026-03&organizationId=${acme}`, keys.globexAdmin)).toEqual([
      403,
      expect.objectContaining({ code: 'FORBIDDEN' }),
    ]);
    expect(await refusal('month=2026-03', keys.acmeMember)).toEqual([403, expect.objectContaining({ code: 'FORBIDDEN' })]);
    expect((await refusal('month=2026-03'))[0]).toBe(401);
    for (const query of [
      '',
      'month=2026-13',
      'month=2026-3',
      'from=2026-03-01',
      'month=2026-03&from=2026-03-01',
      'from=2026-02-30&to=2026-03-01',
      'from=2026-04-01&to=2026-03-01',
      'month=1900-01',
      'month=2026-03&month=2026-04',
    ]) {
      expect([query, ...(await refusal(query, keys.acmeAdmin))]).toEqual([
        query,
        400,
        expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'INVALID_PERIOD' }),
      ]);
    }
    expect(await refusal('month=2026-03&organizationId=nope', t.adminKey)).toEqual([
      400,
      expect.objectContaining({ reason: 'INVALID_ID' }),
    ]);
    expect(await refusal('month=2026-03&organizationId=00000000-0000-4000-8000-000000000000', t.adminKey)).toEqual([
      404,
      expect.objectContaining({ code: 'NOT_FOUND', reason: 'ORGANIZATION_NOT_FOUND' }),
    ]);
  });
});
