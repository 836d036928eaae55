import { request } from '../api';
import { ChartFigure, PALETTE, type Column } from '../charts';
import { byId, showError } from '../dom';
import { money } from '../format';
import { CostsDocument, type BreakdownFragment } from '../generated/graphql';
import type { Session, View } from '../session';

type CostRow = BreakdownFragment['rows'][number];

/** The groupings shown, each an alias of the Costs document, which has one `costBreakdown` per grouping. */
const GROUPS = [
  { key: 'team', title: 'Cost by team' },
  { key: 'project', title: 'Cost by project' },
  { key: 'model', title: 'Cost by model' },
] as const;

const shareFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export function createCostsView(session: Session): View {
  const section = byId('view-costs');
  const figures = GROUPS.map(({ key, title }) => {
    const columns: Column[] = [
      { header: key[0]!.toUpperCase() + key.slice(1) },
      { header: 'Cost', numeric: true },
      { header: 'Share', numeric: true },
    ];
    const figure = new ChartFigure(title, columns, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, title: { display: true, text: session.organization.currency } } },
      },
    });
    byId('cost-charts').append(figure.element);
    return { key, figure };
  });

  const load = async () => {
    try {
      const data = await request(session.key, CostsDocument, {
        org: session.organization.id,
      });
      byId('costs-total').textContent = money(data.team.total);
      for (const { key, figure } of figures) {
        // Usage without a team (project, model) is its own row, never dropped, so the rows add up to the total.
        // `group` is JSON: an object of the grouped dimensions' values, each a string or null.
        const label = (row: CostRow) => {
          const value = (row.group as Record<string, unknown>)[key];
          return typeof value === 'string' ? value : `(no ${key})`;
        };
        const { rows } = data[key];
        figure.update(
          {
            labels: rows.map(label),
            datasets: [
              {
                label: 'Cost',
                data: rows.map((r) => Number(r.cost.amount)),
                backgroundColor: rows.map((_, i) => PALETTE[i % PALETTE.length]!),
              },
            ],
          },
          rows.map((r) => [label(r), money(r.cost), shareFormat.format(r.share)]),
        );
      }
      showError(section, null);
    } catch (err) {
      showError(section, err);
    }
  };

  section.querySelector('[data-refresh]')?.addEventListener('click', () => void load());
  return { section, show: () => void load() };
}
