import PDFDocument from 'pdfkit';

export interface InvoicePdfLine {
  description: string;
  quantity: string;
  unitPrice: string | null;
  amount: string;
}

/** A block printed under the totals telling how to pay: a heading and its label/value rows (bank transfer details). */
export interface InvoicePdfInstructions {
  heading: string;
  fields: Array<[string, string]>;
}

export interface InvoicePdfData {
  number: string;
  status: string;
  organizationName: string;
  /** ISO 4217, e.g. "USD", "JPY". */
  currency: string;
  /** The billing period is half-open: [periodStart, periodEnd). */
  periodStart: Date;
  periodEnd: Date;
  issuedAt: Date | null;
  dueDate: Date | null;
  /** Set once paid: the PDF then doubles as the receipt. */
  paidAt?: Date | null;
  lines: InvoicePdfLine[];
  /** Decimal strings already rounded to the currency's minor unit, printed as given. */
  subtotal: string;
  creditsApplied: string;
  total: string;
  amountDue: string;
  paymentInstructions?: InvoicePdfInstructions[];
}

type Doc = PDFKit.PDFDocument;

const MARGIN = 50;
const FONT = 'Helvetica';
const FONT_BOLD = 'Helvetica-Bold';
const BODY_SIZE = 10;
const CELL_PADDING = 4;
const NONE = '-';

interface Column {
  header: string;
  width: number;
  align: 'left' | 'right';
}

// A4 is 595.28pt wide; with 50pt margins the columns share 495pt.
const COLUMNS: readonly Column[] = [
  { header: 'Description', width: 205, align: 'left' },
  { header: 'Quantity', width: 80, align: 'right' },
  { header: 'Unit price', width: 105, align: 'right' },
  { header: 'Amount', width: 105, align: 'right' },
];
const TABLE_WIDTH = COLUMNS.reduce((sum, c) => sum + c.width, 0);

const utcDate = (d: Date): string => d.toISOString().slice(0, 10);

/** The last day the half-open period covers: the UTC day of the instant just before its end. */
const lastDayIncluded = (periodEnd: Date): Date => new Date(periodEnd.getTime() - 1);

const money = (currency: string, amount: string): string => `${currency} ${amount}`;

/**
 * A figure cut into lines that fit `width`. pdfkit breaks a word wider than its box by measuring ever longer
 * prefixes, quadratic in its length (a 5,000-digit amount took 36 s); stored amounts are bounded, and this keeps
 * even an unbounded one linear. Lines are sized by the widest character a figure holds (a currency code's).
 */
function fitFigure(doc: Doc, text: string, width: number): string {
  if (text.length < 12 || doc.widthOfString(text) <= width) return text;
  const perLine = Math.max(1, Math.floor(width / doc.widthOfString('M')));
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += perLine) lines.push(text.slice(i, i + perLine));
  return lines.join('\n');
}

export function renderInvoicePdf(data: InvoicePdfData): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const title = `Invoice ${data.number}`;
    const doc: Doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: title }, displayTitle: true });
    // pdfkit 0.20 emits plain Uint8Array chunks, not Buffers.
    const chunks: Uint8Array[] = [];
    doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    try {
      drawHeader(doc, data, title);
      drawLines(doc, data);
      drawTotals(doc, data);
      drawPaymentInstructions(doc, data.paymentInstructions ?? []);
      doc.end();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function drawHeader(doc: Doc, data: InvoicePdfData, title: string): void {
  doc.font(FONT_BOLD).fontSize(20).text(title, MARGIN, MARGIN, { width: TABLE_WIDTH });
  doc.moveDown(0.3);
  doc.font(FONT).fontSize(12).text(data.organizationName, { width: TABLE_WIDTH });
  doc.moveDown(0.8);

  const period = `${utcDate(data.periodStart)} to ${utcDate(lastDayIncluded(data.periodEnd))}`;
  const fields: Array<[string, string]> = [
    ['Status', data.status],
    ['Billing period', period],
    ['Issue date', data.issuedAt ? utcDate(data.issuedAt) : NONE],
    ['Due date', data.dueDate ? utcDate(data.dueDate) : NONE],
    ...(data.paidAt ? [['Paid on', utcDate(data.paidAt)] as [string, string]] : []),
  ];
  const labelWidth = 90;
  for (const [label, value] of fields) {
    const y = doc.y;
    doc.font(FONT_BOLD).fontSize(BODY_SIZE).text(label, MARGIN, y, { width: labelWidth });
    const labelBottom = doc.y;
    doc.font(FONT).text(value, MARGIN + labelWidth, y, { width: TABLE_WIDTH - labelWidth });
    doc.y = Math.max(doc.y, labelBottom);
  }
  doc.moveDown(1.5);
}

function rowHeight(doc: Doc, cells: readonly string[]): number {
  let height = 0;
  COLUMNS.forEach((col, i) => {
    height = Math.max(height, doc.heightOfString(cells[i] ?? '', { width: col.width - 2 * CELL_PADDING }));
  });
  return height + 2 * CELL_PADDING;
}

function drawRow(doc: Doc, cells: readonly string[], y: number, height: number): void {
  let x = MARGIN;
  COLUMNS.forEach((col, i) => {
    doc.text(cells[i] ?? '', x + CELL_PADDING, y + CELL_PADDING, { width: col.width - 2 * CELL_PADDING, align: col.align });
    x += col.width;
  });
  doc.y = y + height;
}

function drawRule(doc: Doc, y: number, weight: number): void {
  doc
    .moveTo(MARGIN, y)
    .lineTo(MARGIN + TABLE_WIDTH, y)
    .lineWidth(weight)
    .strokeColor('#999999')
    .stroke();
}

function drawTableHeader(doc: Doc): void {
  const cells = COLUMNS.map((c) => c.header);
  doc.font(FONT_BOLD).fontSize(BODY_SIZE);
  const y = doc.y;
  const height = rowHeight(doc, cells);
  drawRow(doc, cells, y, height);
  drawRule(doc, y + height, 1);
}

/** Starts a new page when `height` would not fit above the bottom margin; returns whether it did. */
function ensureRoom(doc: Doc, height: number): boolean {
  if (doc.y + height <= doc.page.maxY()) return false;
  doc.addPage();
  doc.y = MARGIN;
  return true;
}

function drawLines(doc: Doc, data: InvoicePdfData): void {
  drawTableHeader(doc);
  for (const line of data.lines) {
    doc.font(FONT).fontSize(BODY_SIZE);
    const figure = (text: string, column: number) => fitFigure(doc, text, COLUMNS[column]!.width - 2 * CELL_PADDING);
    const cells = [
      line.description,
      figure(line.quantity, 1),
      line.unitPrice === null ? NONE : figure(money(data.currency, line.unitPrice), 2),
      figure(money(data.currency, line.amount), 3),
    ];
    const height = rowHeight(doc, cells);
    if (ensureRoom(doc, height)) {
      drawTableHeader(doc);
      doc.font(FONT).fontSize(BODY_SIZE);
    }
    const y = doc.y;
    drawRow(doc, cells, y, height);
    drawRule(doc, y + height, 0.5);
  }
  doc.moveDown(1);
}

function drawTotals(doc: Doc, data: InvoicePdfData): void {
  const rows: Array<[string, string, boolean]> = [
    ['Subtotal', data.subtotal, false],
    ['Credits applied', data.creditsApplied, false],
    ['Total', data.total, true],
    ['Amount due', data.amountDue, true],
  ];
  const valueWidth = 140;
  const labelWidth = 120;
  // Right edge matches the text of the table's Amount column, so the figures line up.
  const valueX = MARGIN + TABLE_WIDTH - CELL_PADDING - valueWidth;
  const labelX = valueX - labelWidth;
  const lineGap = 4;

  doc.fontSize(BODY_SIZE);
  // Totals stay together on one page rather than splitting across a page break.
  doc.font(FONT_BOLD);
  const figures = rows.map(([, amount]) => fitFigure(doc, money(data.currency, amount), valueWidth));
  const blockHeight = figures.reduce((sum, figure) => sum + doc.heightOfString(figure, { width: valueWidth }) + lineGap, 0);
  ensureRoom(doc, blockHeight);

  rows.forEach(([label, , strong], i) => {
    const y = doc.y;
    doc.font(strong ? FONT_BOLD : FONT);
    doc.text(label, labelX, y, { width: labelWidth, align: 'right' });
    const labelBottom = doc.y;
    doc.text(figures[i]!, valueX, y, { width: valueWidth, align: 'right' });
    doc.y = Math.max(doc.y, labelBottom) + lineGap;
  });
}

function drawPaymentInstructions(doc: Doc, blocks: readonly InvoicePdfInstructions[]): void {
  const labelWidth = 110;
  for (const block of blocks) {
    doc.fontSize(BODY_SIZE);
    // A block stays on one page: heading plus one line per field, with room to spare.
    ensureRoom(doc, (block.fields.length + 3) * doc.currentLineHeight(true));
    doc.moveDown(1);
    doc.font(FONT_BOLD).text(block.heading, MARGIN, doc.y, { width: TABLE_WIDTH });
    doc.moveDown(0.3);
    for (const [label, value] of block.fields) {
      const y = doc.y;
      doc.font(FONT_BOLD).text(label, MARGIN, y, { width: labelWidth });
      const labelBottom = doc.y;
      doc.font(FONT).text(value, MARGIN + labelWidth, y, { width: TABLE_WIDTH - labelWidth });
      doc.y = Math.max(doc.y, labelBottom);
    }
  }
}
