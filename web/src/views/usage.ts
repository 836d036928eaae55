import { subscribe } from '../api';
import { UsageUpdatedDocument, type UsageUpdatedSubscription } from '../generated/graphql';
import { byId, h, liveFailure, showError } from '../dom';
import { money, percent, period, quantity, time } from '../format';
import type { Session, View } from '../session';

interface Row {
  element: HTMLTableRowElement;
  bar: HTMLElement | null;
  fill: HTMLElement | null;
  status: HTMLElement | null;
  cells: { used: HTMLElement; limit: HTMLElement; included: HTMLElement; cost: HTMLElement };
}

type UsageReport = UsageUpdatedSubscription['usageUpdated'];
type MetricUsage = UsageReport['metrics'][number];

const idFor = (metric: string) => `usage-${metric.replace(/[^\w-]/g, '_')}`;

/** Sets text and flags the cell as changed for a moment, so a live change is seen where it happened. */
function setText(element: HTMLElement, text: string): void {
  if (element.textContent === text) return;
  const first = element.textContent === '';
  element.textContent = text;
  if (first) return;
  element.classList.remove('changed');
  void element.offsetWidth; // restarts the highlight animation
  element.classList.add('changed');
}

function createRow(line: MetricUsage): Row {
  const id = idFor(line.metric);
  const cell = () => h('td', { class: 'num' });
  const cells = { used: cell(), limit: cell(), included: cell(), cost: cell() };
  let bar: HTMLElement | null = null;
  let fill: HTMLElement | null = null;
  let status: HTMLElement | null = null;
  if (line.limit !== null) {
    fill = h('div', { class: 'bar-fill' });
    // A percentage bar: aria-valuetext carries the real quantities.
    bar = h('div', { class: 'bar', role: 'progressbar', 'aria-labelledby': id, 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
    status = h('span', { class: 'bar-status' });
  }
  const element = h(
    'tr',
    { 'data-metric': line.metric },
    h('th', { scope: 'row', id }, line.metric, h('span', { class: 'unit' }, ` (${line.unit})`)),
    h(
      'td',
      { class: 'bar-cell' },
      bar && status
        ? h('div', { class: 'bar-wrap' }, bar, status)
        : h('span', { class: 'muted' }, line.unlimited ? 'Unlimited' : 'No limit'),
    ),
    cells.used,
    cells.limit,
    cells.included,
    cells.cost,
  );
  return { element, bar, fill, status, cells };
}

function updateRow(row: Row, line: MetricUsage): void {
  setText(row.cells.used, quantity(line.used));
  setText(row.cells.limit, line.unlimited ? 'Unlimited' : line.limit === null ? '—' : quantity(line.limit));
  setText(row.cells.included, line.included === null ? '—' : quantity(line.included));
  setText(row.cells.cost, money(line.cost));
  if (!row.bar || !row.fill || !row.status || line.limit === null) return;
  const pct = line.percentage ?? 0;
  const state = line.blocked || pct >= 100 ? 'over' : line.nearLimit ? 'near' : 'ok';
  const label = `${percent(pct)}${line.blocked ? ', blocked' : line.nearLimit ? ', near limit' : ''}`;
  row.bar.setAttribute('aria-valuenow', String(Math.min(100, Math.round(pct * 10) / 10)));
  row.bar.setAttribute('aria-valuetext', `${quantity(line.used)} of ${quantity(line.limit)} ${line.unit} (${label})`);
  row.bar.dataset.state = state;
  row.fill.style.width = `${Math.min(100, pct)}%`;
  setText(row.status, label);
}

/** Usage against limits, redrawn from every `usageUpdated` report: the first on subscribing, then one per change. */
export function createUsageView(session: Session): View {
  const section = byId('view-usage');
  const body = byId('usage-rows');
  const rows = new Map<string, Row>();

  const placeholder = h('tr', {}, h('td', { colspan: 6 }, 'The plan charges no metric.'));

  const render = (report: UsageReport, at: Date) => {
    showError(section, null);
    byId('usage-period').textContent = period(report.periodStart, report.periodEnd);
    setText(byId('usage-total'), money(report.totalCost));
    byId('usage-updated').textContent = `updated ${time(at)}`;
    const seen = new Set(report.metrics.map((line) => line.metric));
    for (const [metric, row] of rows) {
      if (seen.has(metric)) continue;
      row.element.remove();
      rows.delete(metric);
    }
    report.metrics.forEach((line, index) => {
      let row = rows.get(line.metric);
      if (!row) rows.set(line.metric, (row = createRow(line)));
      updateRow(row, line);
      // Rows stay in place across updates: a moved element would not animate its bar.
      if (body.children[index] !== row.element) body.insertBefore(row.element, body.children[index] ?? null);
    });
    if (report.metrics.length) placeholder.remove();
    else body.append(placeholder);
  };

  subscribe(
    session.live,
    UsageUpdatedDocument,
    { org: session.organization.id },
    {
      next: ({ data, errors }) => (errors?.length ? showError(section, errors[0]?.message) : data && render(data.usageUpdated, new Date())),
      error: (err) => showError(section, liveFailure(err)),
      complete: () => undefined,
    },
  );
  return { section, show: () => undefined };
}
