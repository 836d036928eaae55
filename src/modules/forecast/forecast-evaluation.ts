/**
 * Reproducible accuracy check of forecastDaily on synthetic months, against the naive run rate
 * (observed so far / days elapsed × days in the month).
 */
import { forecastDaily, type DailyPoint } from './forecast-model';

export interface EvaluationReport {
  /** how many synthetic months */
  series: number;
  checkpoints: Array<{
    /** 7, 14, 21: the projection is made with that many days of the month observed */
    day: number;
    /** mean absolute percentage error of the month-end total, as a fraction (0.05 = 5 %) */
    modelMape: number;
    runRateMape: number;
    /** share of months whose actual month total fell inside the interval */
    coverage80: number;
    coverage95: number;
  }>;
  /** anomalies found among injected spike days (in the history windows), counted at every checkpoint */
  spikesInjected: number;
  spikesFound: number;
  /** anomalies reported on days without an injected spike */
  falseAnomalies: number;
  /** history days without an injected spike, over all checkpoints: the denominator for falseAnomalies */
  normalDays: number;
}

const DAY_MS = 86_400_000;
/** 8 weeks of past usage before the evaluated month, as the platform has past months. */
const PRIOR_DAYS = 56;
const MONTH_DAYS = 30;
const CHECKPOINT_DAYS = [7, 14, 21];
const NOISE = 0.1;
const SPIKE_FACTOR = 4;
const COVERAGE_TOLERANCE = 0.05;
const MIN_SPIKES_FOUND = 0.9;
/** At most one false alarm per 500 normal days; pure normal noise alone gives 0.05 % beyond 3.5 sd. */
const MAX_FALSE_ANOMALY_RATE = 0.002;

interface SyntheticSeries {
  points: DailyPoint[];
  /** timestamps of the spike days */
  spikes: Set<number>;
}

interface Outcome {
  modelError: number;
  runRateError: number;
  inside80: boolean;
  inside95: boolean;
  spikesSeen: number;
  spikesFound: number;
  falseAnomalies: number;
  normalDays: number;
}

export function evaluateForecasts(options: { series?: number; seed?: number } = {}): EvaluationReport {
  const count = options.series ?? 1000;
  const seed = options.seed ?? 20260401;
  // one PRNG per series, so that a smaller run evaluates a prefix of the default one
  const all = Array.from({ length: count }, (_, i) => generateSeries(mulberry32(seed + Math.imul(i + 1, 0x9e3779b9))));
  const outcomes = CHECKPOINT_DAYS.map((day) => all.map((series) => evaluateAt(series, day)));
  const flat = outcomes.flat();
  return {
    series: count,
    checkpoints: outcomes.map((results, i) => ({
      day: CHECKPOINT_DAYS[i] ?? 0,
      modelMape: mean(results.map((o) => o.modelError)),
      runRateMape: mean(results.map((o) => o.runRateError)),
      coverage80: mean(results.map((o) => Number(o.inside80))),
      coverage95: mean(results.map((o) => Number(o.inside95))),
    })),
    spikesInjected: sum(flat.map((o) => o.spikesSeen)),
    spikesFound: sum(flat.map((o) => o.spikesFound)),
    falseAnomalies: sum(flat.map((o) => o.falseAnomalies)),
    normalDays: sum(flat.map((o) => o.normalDays)),
  };
}

/** Projects the month total with `day` days of the month observed; the actual total is known. */
function evaluateAt({ points, spikes }: SyntheticSeries, day: number): Outcome {
  const history = points.slice(0, PRIOR_DAYS + day);
  const month = points.slice(PRIOR_DAYS);
  const observed = sum(month.slice(0, day).map((p) => p.value));
  const actual = sum(month.map((p) => p.value));
  const forecast = forecastDaily(
    history,
    month.slice(day).map((p) => p.day),
  );
  const { expected, low80, high80, low95, high95 } = forecast.total;
  const flagged = forecast.anomalies.map((a) => a.day.getTime());
  const spikesSeen = history.filter((p) => spikes.has(p.day.getTime())).length;
  return {
    modelError: Math.abs(observed + expected - actual) / actual,
    runRateError: Math.abs((observed / day) * MONTH_DAYS - actual) / actual,
    inside80: observed + low80 <= actual && actual <= observed + high80,
    inside95: observed + low95 <= actual && actual <= observed + high95,
    spikesSeen,
    spikesFound: flagged.filter((t) => spikes.has(t)).length,
    falseAnomalies: flagged.filter((t) => !spikes.has(t)).length,
    normalDays: history.length - spikesSeen,
  };
}

/**
 * PRIOR_DAYS of past usage, then the evaluated month: a linear trend of −1 % to +4 % of the starting level per week,
 * a multiplicative weekly pattern (quieter or busier weekends, weekdays within ±10 %), 10 % multiplicative normal
 * noise, and 1–3 spikes of 4× a normal day among the past days. Levels span 10 to 10 000 per day.
 */
function generateSeries(random: () => number): SyntheticSeries {
  const start = Date.UTC(2025, 0, 1) + Math.floor(random() * 7) * DAY_MS;
  const level = 10 ** (1 + 3 * random());
  const weeklyGrowth = -0.01 + 0.05 * random();
  const weekend = random() < 0.5 ? 0.4 + 0.4 * random() : 1.2 + 0.4 * random();
  const weekdayFactors = Array.from({ length: 7 }, (_, dow) => (dow === 0 || dow === 6 ? weekend : 0.9 + 0.2 * random()));
  const spikeIndices = new Set<number>();
  const spikeCount = 1 + Math.floor(random() * 3);
  while (spikeIndices.size < spikeCount) spikeIndices.add(Math.floor(random() * PRIOR_DAYS));

  const points = Array.from({ length: PRIOR_DAYS + MONTH_DAYS }, (_, t) => {
    const day = new Date(start + t * DAY_MS);
    const normal = level * (1 + (weeklyGrowth * t) / 7) * (weekdayFactors[day.getUTCDay()] ?? 1);
    const value = Math.max(0, normal * (1 + NOISE * gaussian(random)) * (spikeIndices.has(t) ? SPIKE_FACTOR : 1));
    return { day, value };
  });
  return { points, spikes: new Set([...spikeIndices].map((t) => start + t * DAY_MS)) };
}

/** mulberry32: a tiny seeded PRNG, deterministic across runs and platforms. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box-Muller standard normal. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: number[]): number {
  return values.length ? sum(values) / values.length : 0;
}

/** The spec's goals; returns what is missed (empty when all hold). */
export function missedGoals(report: EvaluationReport): string[] {
  const misses = report.checkpoints.flatMap((c) => [
    ...(c.modelMape < c.runRateMape ? [] : [`day ${c.day}: model error ${pct(c.modelMape)} is not below run rate ${pct(c.runRateMape)}`]),
    ...(Math.abs(c.coverage80 - 0.8) <= COVERAGE_TOLERANCE ? [] : [`day ${c.day}: 80 % interval covers ${pct(c.coverage80)}`]),
    ...(Math.abs(c.coverage95 - 0.95) <= COVERAGE_TOLERANCE ? [] : [`day ${c.day}: 95 % interval covers ${pct(c.coverage95)}`]),
  ]);
  const found = report.spikesFound / Math.max(1, report.spikesInjected);
  if (found < MIN_SPIKES_FOUND) misses.push(`only ${pct(found)} of injected spikes found`);
  const falseRate = report.falseAnomalies / Math.max(1, report.normalDays);
  if (falseRate > MAX_FALSE_ANOMALY_RATE) misses.push(`false anomalies on ${pct(falseRate)} of normal days`);
  return misses;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}
