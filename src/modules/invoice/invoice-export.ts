import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { namedParameters } from '../../common/database/pg-array';
import { minorUnits } from '../../common/money/currency';
import { roundMoney } from '../../common/money/decimal';
import { loadTenantScope } from '../organization/tenant-scope';
import { InvoiceError, InvoiceErrorReason } from './invoice.error';
import { InvoiceStatus } from './invoice-status';

/** The CSV's columns, one row per invoice line (an invoice without lines has one row with them empty). */
export const INVOICE_EXPORT_COLUMNS = [
  'organization_id',
  'organization_name',
  'invoice_id',
  'invoice_number',
  'status',
  'currency',
  'period_start',
  'period_end',
  'issue_date',
  'due_date',
  'paid_date',
  'invoice_subtotal',
  'invoice_credits_applied',
  'invoice_total',
  'invoice_amount_paid',
  'line_number',
  'line_kind',
  'line_description',
  'line_metric',
  'line_quantity',
  'line_unit_price',
  'line_amount',
] as const;

export type InvoiceExportRecord = Record<(typeof INVOICE_EXPORT_COLUMNS)[number], string>;

/** Which invoices: those whose billing period starts in [from, to), of one organisation or (platform admins) all. */
export interface ExportScope {
  organizationId: string | null;
  from: Date;
  to: Date;
}

export interface InvoiceExport {
  filename: string;
  /** Streams the CSV into `out`, a page of invoices at a time as `out` drains; rejects (and destroys `out`) on failure. */
  writeTo(out: Writable): Promise<void>;
}

interface ExportRow {
  id: string;
  organization_id: string;
  organization_name: string;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  period_start: Date;
  period_end: Date;
  issued_at: Date | null;
  due_date: Date | null;
  paid_at: Date | null;
  subtotal: string;
  credits_applied: string;
  total: string;
  amount_paid: string;
  position: number | null;
  kind: string | null;
  description: string | null;
  metric_code: string | null;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
}

/** Invoices a page holds: their lines come with them, so a page is a few thousand rows at most. */
const PAGE_SIZE = 500;

const PAGE = namedParameters(['from', 'to', 'organization', 'afterOrganization', 'afterStart', 'afterId', 'limit', 'draft'] as const);
/** Before every invoice: where the first page starts. */
const START = {
  organization_id: '00000000-0000-0000-0000-000000000000',
  period_start: '-infinity',
  id: '00000000-0000-0000-0000-000000000000',
};
const PAGE_SQL = (() => {
  const $ = PAGE.sql;
  // Keyset on (organisation, period start, id): the (organization_id, period_start) index walks it page by page.
  return `WITH page AS (
    SELECT i.id, i.organization_id, i.number, i.status, i.currency, i.period_start, i.period_end, i.issued_at, i.due_date, i.paid_at,
           i.subtotal, i.credits_applied, i.total, i.amount_paid
      FROM invoices i
     WHERE i.period_start >= ${$.from} AND i.period_start < ${$.to} AND i.status <> ${$.draft}
       AND (${$.organization}::uuid IS NULL OR i.organization_id = ${$.organization})
       AND (i.organization_id, i.period_start, i.id) > (${$.afterOrganization}::uuid, ${$.afterStart}::timestamptz, ${$.afterId}::uuid)
     ORDER BY i.organization_id, i.period_start, i.id
     LIMIT ${$.limit})
  SELECT p.*, o.name AS organization_name, l.position, l.kind, l.description, l.metric_code, l.quantity, l.unit_price, l.amount
    FROM page p JOIN organizations o ON o.id = p.organization_id
    LEFT JOIN invoice_lines l ON l.organization_id = p.organization_id AND l.invoice_id = p.id
   ORDER BY p.organization_id, p.period_start, p.id, l.position`;
})();

// From 1970: Date.UTC reads the years 0 to 99 as 1900 to 1999.
const MONTH = /^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/;
const DAY = /^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3600_000;

const badPeriod = (message: string) => new InvoiceError(InvoiceErrorReason.INVALID_PERIOD, message);

function dayOf(text: string, name: string): Date {
  const date = new Date(`${text}T00:00:00Z`);
  if (!DAY.test(text) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text)
    throw badPeriod(`${name} must be a date from 1970 on, such as 2026-03-01, not "${text.slice(0, 40)}"`);
  return date;
}

/** The query's period: `month=YYYY-MM`, or `from=YYYY-MM-DD&to=YYYY-MM-DD` (both days included), in UTC. */
export function exportPeriod(query: { month?: string; from?: string; to?: string }): { from: Date; to: Date } {
  const { month, from, to } = query;
  if (month !== undefined) {
    if (from !== undefined || to !== undefined) throw badPeriod('Give either month or from and to, not both');
    const match = MONTH.exec(month);
    if (!match) throw badPeriod(`month must be a month from 1970 on, such as 2026-03, not "${month.slice(0, 40)}"`);
    const [year, number] = [Number(match[1]), Number(match[2])];
    return { from: new Date(Date.UTC(year, number - 1, 1)), to: new Date(Date.UTC(year, number, 1)) };
  }
  if (from === undefined || to === undefined) throw badPeriod('Give month=YYYY-MM, or from=YYYY-MM-DD and to=YYYY-MM-DD');
  const [start, last] = [dayOf(from, 'from'), dayOf(to, 'to')];
  if (last < start) throw badPeriod('to is before from');
  return { from: start, to: new Date(last.getTime() + DAY_MS) };
}

const day = (d: Date | null): string => (d ? d.toISOString().slice(0, 10) : '');

/** A spreadsheet runs a cell that starts like a formula; text the platform or its customers named is kept text. */
const asText = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

function record(r: ExportRow): InvoiceExportRecord {
  const decimals = minorUnits(r.currency);
  const money = (v: string) => roundMoney(v, decimals);
  return {
    organization_id: r.organization_id,
    organization_name: asText(r.organization_name),
    invoice_id: r.id,
    invoice_number: r.number ?? '',
    status: r.status,
    currency: r.currency,
    period_start: day(r.period_start),
    // The period is half-open; its last day is the one before the end.
    period_end: day(new Date(r.period_end.getTime() - 1)),
    issue_date: day(r.issued_at),
    due_date: day(r.due_date),
    paid_date: day(r.paid_at),
    invoice_subtotal: money(r.subtotal),
    invoice_credits_applied: money(r.credits_applied),
    invoice_total: money(r.total),
    invoice_amount_paid: money(r.amount_paid),
    line_number: r.position === null ? '' : String(r.position + 1),
    line_kind: r.kind ?? '',
    line_description: r.description === null ? '' : asText(r.description),
    line_metric: r.metric_code ?? '',
    line_quantity: r.quantity ?? '',
    line_unit_price: r.unit_price ?? '',
    line_amount: r.amount === null ? '' : money(r.amount),
  };
}

/**
 * Invoices and their lines as CSV for accountants: amounts exactly as
 * invoiced (decimal strings rounded as on the invoice, with their currency),
 * read a page at a time so a large period streams in bounded memory.
 */
export class InvoiceExportService {
  constructor(
    private readonly db: DataSource,
    private readonly pageSize = PAGE_SIZE,
  ) {}

  /**
   * Checks the caller and the period, and reads the first page, before anything is sent: a refusal is
   * still an ordinary error answer. Platform admins export one organisation or (no organizationId) all;
   * tenant admins and billing contacts their own.
   */
  async open(principal: Principal, query: Record<string, unknown>): Promise<InvoiceExport> {
    const text = (name: string): string | undefined => {
      const value = query[name];
      if (value === undefined || typeof value === 'string') return value;
      throw badPeriod(`${name} may be given once, as text`);
    };
    const organizationIdInput =
      text('organizationId') ?? (isPlatformAdmin(principal) ? undefined : (principal.organizationId ?? undefined));
    let organizationId: string | null = null;
    if (organizationIdInput === undefined) assertCan(principal, Permission.VIEW_INVOICES);
    else {
      organizationId = authorizeTenant(principal, Permission.VIEW_INVOICES, organizationIdInput);
      await loadTenantScope(this.db.manager, organizationId);
    }
    const scope: ExportScope = { organizationId, ...exportPeriod({ month: text('month'), from: text('from'), to: text('to') }) };
    const first = await this.page(scope, null);
    const filename = `invoices-${day(scope.from)}-to-${day(new Date(scope.to.getTime() - 1))}${organizationId ? `-${organizationId.slice(0, 8)}` : ''}.csv`;
    return {
      filename,
      writeTo: (out) =>
        pipeline(Readable.from(this.records(scope, first)), stringify({ header: true, columns: [...INVOICE_EXPORT_COLUMNS] }), out),
    };
  }

  private async *records(scope: ExportScope, first: ExportRow[]): AsyncGenerator<InvoiceExportRecord> {
    let rows = first;
    for (;;) {
      for (const row of rows) yield record(row);
      const last = rows.at(-1);
      if (!last || new Set(rows.map((r) => r.id)).size < this.pageSize) return;
      rows = await this.page(scope, last);
    }
  }

  private page(scope: ExportScope, after: ExportRow | null): Promise<ExportRow[]> {
    return this.db.query(
      PAGE_SQL,
      PAGE.values({
        from: scope.from.toISOString(),
        to: scope.to.toISOString(),
        organization: scope.organizationId,
        afterOrganization: after?.organization_id ?? START.organization_id,
        afterStart: after?.period_start.toISOString() ?? START.period_start,
        afterId: after?.id ?? START.id,
        limit: this.pageSize,
        draft: InvoiceStatus.DRAFT,
      }),
    );
  }
}
