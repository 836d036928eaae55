/**
 * Daily usage/cost forecast: least squares on a level per weekday (intercept + 6 day-of-week dummies) and a linear
 * trend, with spikes trimmed, noise proportional to the level, and t prediction intervals per day and for the sum.
 */

export interface DailyPoint {
  day: Date;
  value: number;
}

export interface ForecastBand {
  expected: number;
  low80: number;
  high80: number;
  low95: number;
  high95: number;
}

export interface ForecastResult {
  /** false when there is too little history for the model; then the projection falls back to the run rate and intervals are wide */
  sufficientHistory: boolean;
  method: 'trend+weekly' | 'trend' | 'run-rate';
  historyDays: number;
  /** Predicted values for each future day requested, with prediction intervals for each day */
  days: Array<{ day: Date } & ForecastBand>;
  /** Sum over the future days, with prediction intervals for the SUM (not the sum of per-day bounds) */
  total: ForecastBand;
  /** Relative growth per 30 days implied by the trend, e.g. 0.125 = +12.5 % per 30 days (0 without a trend) */
  growthRate: number;
  /** History days far outside the expected band */
  anomalies: Array<{ day: Date; value: number; expected: number; score: number }>;
}

const DAY_MS = 86_400_000;
const Z80 = 1.2815515655446004;
const Z95 = 1.959963984540054;
const WEEKLY_MIN_DAYS = 14;
const TREND_MIN_DAYS = 7;
const ANOMALY_SCORE = 3.5;
const MAD_TO_SD = 1.4826;
/** Beyond this share of outliers the series is heavy-tailed rather than spiky: excluding them would bias the fit. */
const MAX_OUTLIER_SHARE = 0.1;
/** Noise scale floor for near-zero expected days, as a share of the mean daily value. */
const NOISE_FLOOR_SHARE = 0.2;

export function forecastDaily(history: DailyPoint[], futureDays: Date[]): ForecastResult {
  const first = history[0];
  if (!first) return emptyForecast(futureDays);
  if (history.length < TREND_MIN_DAYS) return runRateForecast(history, futureDays);

  const weekly = history.length >= WEEKLY_MIN_DAYS;
  const center = (history.length - 1) / 2;
  const centredDay = (day: Date) => Math.round((day.getTime() - first.day.getTime()) / DAY_MS) - center;
  const model = fitModel(
    history.map((p) => centredDay(p.day)),
    history.map((p) => p.day.getUTCDay()),
    history.map((p) => p.value),
    weekly,
  );
  if (!model) return runRateForecast(history, futureDays);
  const { fit, noiseScale, residuals, scores } = model;
  const row = (day: Date) => model.row(centredDay(day), day.getUTCDay());

  const q80 = tQuantile(Z80, fit.df);
  const q95 = tQuantile(Z95, fit.df);
  const futureRows = futureDays.map(row);
  const futureMeans = futureRows.map((x) => dot(x, fit.beta));
  const futureScales = futureMeans.map(noiseScale);
  const days = futureDays.map((day, i) => {
    const x = futureRows[i] ?? [];
    const scale = futureScales[i] ?? 0;
    return { day, ...band(futureMeans[i] ?? 0, fit.sigma * Math.sqrt(scale * scale + quadForm(fit.cov, x)), q80, q95) };
  });
  // independent daily noise adds up in variance; the estimated coefficients are shared by all days, hence the sum row
  const sumRow = futureRows.reduce((acc, x) => acc.map((v, j) => v + (x[j] ?? 0)), new Array<number>(fit.beta.length).fill(0));
  const totalSd = fit.sigma * Math.sqrt(sum(futureScales.map((s) => s * s)) + quadForm(fit.cov, sumRow));

  return {
    sufficientHistory: true,
    method: weekly ? 'trend+weekly' : 'trend',
    historyDays: history.length,
    days,
    total: band(sum(days.map((d) => d.expected)), totalSd, q80, q95),
    growthRate: growthPer30Days(fit.beta, center),
    anomalies: history.flatMap((p, i) => {
      const score = scores[i] ?? 0;
      return score > ANOMALY_SCORE ? [{ day: p.day, value: p.value, expected: Math.max(0, p.value - (residuals[i] ?? 0)), score }] : [];
    }),
  };
}

interface Fit {
  beta: number[];
  /** (X'WX)^-1: scaled by sigma² it is the covariance of beta */
  cov: number[][];
  /** residual sd relative to the noise scale */
  sigma: number;
  df: number;
}

interface Model {
  fit: Fit;
  row: (t: number, dow: number) => number[];
  /** noise sd of a day with this expected value, in units of fit.sigma */
  noiseScale: (expected: number) => number;
  residuals: number[];
  /** |residual| in robust sds of the noise at that day */
  scores: number[];
}

/**
 * Regressors for centred day index t: without a weekly profile, intercept and trend; with one, a level per weekday
 * (the same span as intercept + 6 dummies) and a trend that scales with the weekday's relative level, because weekly
 * patterns are multiplicative: a quiet Sunday grows by less than a busy Monday.
 */
function designRow(profile: number[] | null) {
  return (t: number, dow: number): number[] =>
    profile ? [...profile.map((_, d) => (d === dow ? 1 : 0)), t * (profile[dow] ?? 1)] : [1, t];
}

/**
 * Two passes. The first, unweighted and with a flat weekly profile, gives the weekday levels and the expected values.
 * The second uses the weekday levels (relative to their mean) as the trend's profile, and weighs days by
 * 1 / noise scale²: usage noise grows with the level, so its sd is taken proportional to the expected value,
 * floored at a share of the mean level for near-zero days.
 */
function fitModel(t: number[], dow: number[], y: number[], weekly: boolean): Model | null {
  const firstRow = designRow(weekly ? new Array<number>(7).fill(1) : null);
  const firstRows = t.map((ti, i) => firstRow(ti, dow[i] ?? 0));
  // mostly-zero usage comes in bursts, which a MAD near 0 cannot tell from spikes: no trimming then
  const maxTrimmed = median(y) > 0 ? Math.floor(MAX_OUTLIER_SHARE * y.length) : 0;
  const unitScales = y.map(() => 1);
  const first = robustFit(firstRows, y, unitScales, maxTrimmed);
  if (!first) return null;
  // an all-zero history has no level to take a share of; any positive scale then does
  const floor = NOISE_FLOOR_SHARE * (sum(y.map(Math.abs)) / y.length) || 1;
  const noiseScale = (expected: number) => Math.max(expected, floor);
  const fitted = firstRows.map((x) => noiseScale(dot(x, first.fit.beta)));
  const row = designRow(weekly ? weekdayProfile(first.fit.beta.slice(0, 7)) : null);
  const rows = t.map((ti, i) => row(ti, dow[i] ?? 0));
  const second = robustFit(rows, y, fitted, maxTrimmed);
  return second && { ...second, row, noiseScale };
}

/** Weekday levels relative to their mean; flat when the levels are not positive. */
function weekdayProfile(levels: number[]): number[] {
  const positive = levels.map((v) => Math.max(0, v));
  const mean = sum(positive) / positive.length;
  return positive.map((v) => (mean > 0 ? v / mean : 1));
}

/**
 * Robust step: drop the worst day while it lies beyond ANOMALY_SCORE robust sds, refitting each time. One at a time
 * because several spikes on one weekday pull that weekday's dummy and would otherwise flag the whole weekday.
 * If trimming `maxTrimmed` days does not clear the outliers, the series is heavy-tailed rather than spiky: trimming
 * would bias it low, so keep the untrimmed fit and score against its own sd. Same when a refit is singular (all days
 * of a weekday trimmed).
 */
function robustFit(rows: number[][], y: number[], scales: number[], maxTrimmed: number): Omit<Model, 'row' | 'noiseScale'> | null {
  const weights = scales.map((s) => 1 / (s * s));
  const untrimmed = fitWls(rows, y, weights);
  if (!untrimmed) return null;
  const floor = 1e-9 * Math.max(1, sum(y.map((v, i) => Math.abs(v) / (scales[i] ?? 1))) / y.length);
  const result = (fit: Fit, sd: number) => {
    const residuals = residualsOf(rows, y, fit.beta);
    return { fit, residuals, scores: residuals.map((r, i) => Math.abs(r / (scales[i] ?? 1)) / sd) };
  };
  let fit = untrimmed;
  for (let trimmed = 0; trimmed <= maxTrimmed; trimmed++) {
    const z = residualsOf(rows, y, fit.beta).map((r, i) => r / (scales[i] ?? 1));
    const kept = z.filter((_, i) => weights[i]);
    const robustSd = Math.max(robustSdOf(kept, fit.df), floor);
    const worst = z.reduce((w, r, i) => (weights[i] && Math.abs(r) > Math.abs(z[w] ?? 0) ? i : w), -1);
    if (Math.abs(z[worst] ?? 0) <= ANOMALY_SCORE * robustSd) return result(fit, robustSd);
    weights[worst] = 0;
    const next = fitWls(rows, y, weights);
    if (!next) break;
    fit = next;
  }
  return result(untrimmed, Math.max(untrimmed.sigma, floor));
}

/** Weighted least squares; weight 0 excludes a day. */
function fitWls(rows: number[][], y: number[], weights: number[]): Fit | null {
  const p = rows[0]?.length ?? 0;
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  let n = 0;
  rows.forEach((x, i) => {
    const w = weights[i] ?? 0;
    if (!w) return;
    n++;
    const yi = y[i] ?? 0;
    for (let a = 0; a < p; a++) {
      const wxa = w * (x[a] ?? 0);
      xty[a] = (xty[a] ?? 0) + wxa * yi;
      const rowA = xtx[a] ?? [];
      for (let b = 0; b < p; b++) rowA[b] = (rowA[b] ?? 0) + wxa * (x[b] ?? 0);
    }
  });
  const df = n - p;
  const cov = df > 0 ? invert(xtx) : null;
  if (!cov) return null;
  const beta = cov.map((r) => dot(r, xty));
  const ssr = sum(residualsOf(rows, y, beta).map((r, i) => (weights[i] ?? 0) * r * r));
  return { beta, cov, sigma: Math.sqrt(ssr / df), df };
}

/** Gauss-Jordan inversion with partial pivoting; null when (numerically) singular. */
function invert(matrix: number[][]): number[][] | null {
  const n = matrix.length;
  const a = matrix.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  const scale = Math.max(...matrix.map((r, i) => Math.abs(r[i] ?? 0)), 0);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    const pivotRow = a[pivot] ?? [];
    const pv = pivotRow[col] ?? 0;
    if (Math.abs(pv) <= 1e-12 * scale) return null;
    a[pivot] = a[col] ?? [];
    a[col] = pivotRow.map((v) => v / pv);
    const normalized = a[col] ?? [];
    for (let r = 0; r < n; r++) {
      const target = a[r] ?? [];
      const factor = target[col] ?? 0;
      if (r === col || factor === 0) continue;
      a[r] = target.map((v, j) => v - factor * (normalized[j] ?? 0));
    }
  }
  return a.map((r) => r.slice(n));
}

function residualsOf(rows: number[][], y: number[], beta: number[]): number[] {
  return rows.map((x, i) => (y[i] ?? 0) - dot(x, beta));
}

/** 1.4826 × MAD, scaled up by √(n/df) because fitted residuals are smaller than the errors. */
function robustSdOf(residuals: number[], df: number): number {
  const med = median(residuals);
  return MAD_TO_SD * median(residuals.map((r) => Math.abs(r - med))) * Math.sqrt(residuals.length / df);
}

/** Trend slope × 30 relative to the level (weekday levels' mean plus trend) at the end of the history. */
function growthPer30Days(beta: number[], lastT: number): number {
  const levels = beta.slice(0, -1);
  const slope = beta.at(-1) ?? 0;
  const level = sum(levels) / levels.length + slope * lastT;
  return level > 0 ? (slope * 30) / level : 0;
}

/** Too little history for a trend: mean per day; the daily sd is floored at the mean itself so intervals stay wide. */
function runRateForecast(history: DailyPoint[], futureDays: Date[]): ForecastResult {
  const n = history.length;
  const values = history.map((p) => p.value);
  const mean = sum(values) / n;
  const sampleSd = n > 1 ? Math.sqrt(sum(values.map((v) => (v - mean) ** 2)) / (n - 1)) : 0;
  const sd = Math.max(sampleSd, mean);
  const h = futureDays.length;
  return {
    sufficientHistory: false,
    method: 'run-rate',
    historyDays: n,
    days: futureDays.map((day) => ({ day, ...band(mean, sd * Math.sqrt(1 + 1 / n), Z80, Z95) })),
    // the unknown level is shared by all future days, hence the h² term
    total: band(mean * h, sd * Math.sqrt(h + (h * h) / n), Z80, Z95),
    growthRate: 0,
    anomalies: [],
  };
}

function emptyForecast(futureDays: Date[]): ForecastResult {
  return {
    sufficientHistory: false,
    method: 'run-rate',
    historyDays: 0,
    days: futureDays.map((day) => ({ day, ...band(0, 0, Z80, Z95) })),
    total: band(0, 0, Z80, Z95),
    growthRate: 0,
    anomalies: [],
  };
}

/** Non-negative quantities: expected and bounds are clamped at 0. */
function band(mean: number, sd: number, q80: number, q95: number): ForecastBand {
  const at = (v: number) => Math.max(0, v);
  return {
    expected: at(mean),
    low80: at(mean - q80 * sd),
    high80: at(mean + q80 * sd),
    low95: at(mean - q95 * sd),
    high95: at(mean + q95 * sd),
  };
}

/** Student t quantile from the normal one (Cornish-Fisher, Abramowitz & Stegun 26.7.5); accurate for df ≥ 5. */
export function tQuantile(z: number, df: number): number {
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  const g1 = (z3 + z) / 4;
  const g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  const g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  const g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

function quadForm(m: number[][], x: number[]): number {
  return sum(m.map((r, i) => (x[i] ?? 0) * dot(r, x)));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((acc, v, i) => acc + v * (b[i] ?? 0), 0);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
