import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartData,
  type ChartType,
} from 'chart.js';
import { h } from './dom';

// Only what the dashboard draws, so the bundle carries no unused chart types.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || 'system-ui, sans-serif';
Chart.defaults.color = '#1f2933';
Chart.defaults.maintainAspectRatio = false;
if (matchMedia('(prefers-reduced-motion: reduce)').matches) Chart.defaults.animation = false;

/** Colours that keep 3:1 contrast against the white card, for bars and points alike. */
export const PALETTE = ['#1d5fbf', '#b4541b', '#237a3b', '#8a3fa0', '#a3302f', '#356f7a', '#6b5d12', '#4b5563'];

export interface Column {
  header: string;
  numeric?: boolean;
}

let figures = 0;

/**
 * A chart and, beside it, a table of the very numbers it draws: the table is the chart's text
 * alternative (the canvas says so), and it is what keyboard and screen-reader users read.
 */
export class ChartFigure<T extends ChartType> {
  readonly element: HTMLElement;
  private readonly chart: Chart<T>;
  private readonly body: HTMLTableSectionElement;

  constructor(
    title: string,
    private readonly columns: Column[],
    config: ChartConfiguration<T>,
  ) {
    const id = `figure-${++figures}`;
    const canvas = h('canvas', { role: 'img', 'aria-label': `${title}: chart; the same numbers are in the table beside it` });
    this.body = h('tbody');
    const table = h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, `${title}: numbers`),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.header)))),
      this.body,
    );
    this.element = h(
      'figure',
      { class: 'chart-figure', 'aria-labelledby': `${id}-caption` },
      h('figcaption', { id: `${id}-caption` }, title),
      h('div', { class: 'chart-body' }, h('div', { class: 'chart-canvas' }, canvas), h('div', { class: 'chart-table' }, table)),
    );
    this.chart = new Chart(canvas, config);
  }

  /** Redraws the chart and rewrites its table; the first cell of each row is its header. */
  update(data: ChartData<T>, rows: string[][]): void {
    this.chart.data = data;
    this.chart.update();
    this.body.replaceChildren(
      ...(rows.length
        ? rows.map((row) =>
            h(
              'tr',
              {},
              ...row.map((cell, i) =>
                i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: this.columns[i]?.numeric ? 'num' : undefined }, cell),
              ),
            ),
          )
        : [h('tr', {}, h('td', { colspan: this.columns.length }, 'Nothing recorded yet.'))]),
    );
  }
}
