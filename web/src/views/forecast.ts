import { request, type Money } from '../api';
import { ChartFigure, PALETTE } from '../charts';
import { byId, h, showError } from '../dom';
import { money, percent, quantity } from '../format';
import { ForecastDocument, type ForecastMethod } from '../generated/graphql';
import type { Session, View } from '../session';

const METHOD_LABELS: Record<ForecastMethod, string> = { TREND_WEEKLY: 'trend and weekly pattern', TREND: 'trend', RUN_RATE: 'run rate' };

/** The select's value for the forecast of total usage cost (no metric). */
const TOTAL = '';
const n = (m: Money) => Number(m.amount);

/**
 * This period (cost so far, projected end) beside the next period's forecast with its 80 % and 95 %
 * prediction intervals drawn as nested floating bars; the intervals belong to the next period only.
 */
export function createForecastView(session: Session): View {
  const section = byId('view-forecast');
  const select = byId<HTMLSelectElement>('forecast-metric');
  select.append(h('option', { value: TOTAL }, 'Total usage cost'));
  // Floating bars drawn over one another (not side by side): the narrower 80 % band inside the 95 % one.
  const bar = (label: string, color: string, barPercentage: number, order: number, data: Array<[number, number] | null>) => ({
    type: 'bar' as const,
    label,
    data,
    backgroundColor: color,
    grouped: false,
    barPercentage,
    order,
  });
  const figure = new ChartFigure<'bar' | 'line'>('Cost forecast', [{ header: 'Figure' }, { header: 'Amount', numeric: true }], {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: session.organization.currency } } } },
  });
  byId('forecast-chart').append(figure.element);

  const load = async () => {
    try {
      const metric = select.value || null;
      const { usage, forecast: f } = await request(session.key, ForecastDocument, { org: session.organization.id, metric });
      for (const { metric: code } of usage.metrics) {
        if (![...select.options].some((o) => o.value === code)) select.append(h('option', { value: code }, code));
      }
      const line = metric ? usage.metrics.find((m) => m.metric === metric) : undefined;
      const soFar = line?.cost ?? usage.totalCost;
      byId('forecast-summary').textContent = [
        f.sufficientHistory
          ? `Fitted on ${f.historyDays} days of history (${METHOD_LABELS[f.forecastMethod]}).`
          : f.historyDays === 0
            ? 'No usage yet, so nothing to project.'
            : `Only ${f.historyDays} day${f.historyDays === 1 ? '' : 's'} of history: this is the run rate, with wide intervals.`,
        `Growth ${percent(f.growthRate * 100)} per 30 days.`,
        'Base fee not included.',
      ].join(' ');
      figure.update(
        {
          labels: ['This period', 'Next period'],
          datasets: [
            {
              type: 'line',
              label: 'Forecast',
              data: [n(f.projectedCost), n(f.nextPeriodCost)],
              showLine: false,
              pointStyle: 'rectRot',
              pointRadius: 8,
              backgroundColor: PALETTE[4],
              borderColor: PALETTE[4],
              order: 0,
            },
            bar('Cost so far', PALETTE[0]!, 0.5, 1, [[0, n(soFar)], null]),
            bar('80 % interval', '#5b8fd6', 0.35, 2, [null, [n(f.low80), n(f.high80)]]),
            bar('95 % interval', '#b9cdea', 0.6, 3, [null, [n(f.low95), n(f.high95)]]),
          ],
        },
        [
          ['Cost so far this period', money(soFar)],
          ['Projected cost at period end', money(f.projectedCost)],
          ...(f.projectedUsage !== null ? [['Projected usage at period end', `${quantity(f.projectedUsage)} ${line?.unit ?? ''}`]] : []),
          ['Projected overage', money(f.projectedOverage)],
          ['Next period forecast', money(f.nextPeriodCost)],
          ['Next period, 80 % interval', `${money(f.low80)} – ${money(f.high80)}`],
          ['Next period, 95 % interval', `${money(f.low95)} – ${money(f.high95)}`],
        ],
      );
      showError(section, null);
    } catch (err) {
      showError(section, err);
    }
  };

  select.addEventListener('change', () => void load());
  section.querySelector('[data-refresh]')?.addEventListener('click', () => void load());
  return { section, show: () => void load() };
}
