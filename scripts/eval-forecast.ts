import { evaluateForecasts, missedGoals } from '../src/modules/forecast/forecast-evaluation';

const report = evaluateForecasts();
const pct = (share: number) => `${(share * 100).toFixed(2)} %`;
const rows = [
  ['checkpoint', 'model MAPE', 'run-rate MAPE', 'ratio', 'coverage 80', 'coverage 95'],
  ...report.checkpoints.map((c) => [
    `day ${c.day}`,
    pct(c.modelMape),
    pct(c.runRateMape),
    (c.modelMape / c.runRateMape).toFixed(2),
    pct(c.coverage80),
    pct(c.coverage95),
  ]),
];
const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => r[col]?.length ?? 0))) ?? [];
console.log(`Forecast evaluation on ${report.series} synthetic months (month-end total projected at each checkpoint)\n`);
for (const r of rows) console.log(r.map((cell, col) => (col ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0))).join('  '));
console.log(`\nspikes found: ${report.spikesFound} / ${report.spikesInjected}`);
console.log(
  `false anomalies: ${report.falseAnomalies} on ${report.normalDays} normal days (${pct(report.falseAnomalies / report.normalDays)})`,
);

const misses = missedGoals(report);
for (const miss of misses) console.error(`goal missed: ${miss}`);
console.log(misses.length ? '' : '\nall goals met');
process.exitCode = misses.length ? 1 : 0;
