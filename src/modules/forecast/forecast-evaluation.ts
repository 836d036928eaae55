/**
 * Reproducible accuracy check of forecastDaily on synthetic months against the naive run rate
 * (observed so far / days elapsed × days in month).
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
  /** anomalies found among injected spike days (in the history windows), counted once per checkpoint */
  spikesInjected: number;
  spikesFound: number;
  /** anomalies on days without an injected spike */
  falseAnomalies: number;
  /** history days without an injected spike that were checked, the denominator of falseAnomalies */
  normalDaysChecked: number;
}

const DAY_MS = 86_400_000;
const PRIOR_DAYS = 56;
const MONTH_DAYS = 30;
const CHECKPOINTS = [7, 14, 21];
const NOISE = 0.1;
const SPIKE_FACTOR = process.env.NOSPIKE ? 1 : 4;
const FIRST_DAY = Date.UTC(2025, 0, 1);

interface SyntheticSeries {
  points: DailyPoint[];
  spikes: Set<number>;
}

export function evaluateForecasts(options: { series?: number; seed?: number } = {}): EvaluationReport {
  const count = options.series ?? 1000;
  const seed = options.seed ?? 20260401;
  const all = Array.from({ length: count }, (_, i) => generateSeries(mulberry32((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0)));
  let spikesInjected = 0;
  let spikesFound = 0;
  let falseAnomalies = 0;
  let normalDaysChecked = 0;

  const checkpoints = CHECKPOINTS.map((day) => {
    let modelError = 0;
    let runRateError = 0;
    let inside80 = 0;
    let inside95 = 0;
    for (const { points, spikes } of all) {
      const month = points.slice(PRIOR_DAYS);
      const observed = sum(month.slice(0, day).map((p) => p.value));
      const actual = sum(month.map((p) => p.value));
      const history = points.slice(0, PRIOR_DAYS + day);
      const forecast = forecastDaily(
        history,
        month.slice(day).map((p) => p.day),
      );
      const { expected, low80, high80, low95, high95 } = forecast.total;
      modelError += Math.abs(observed + expected - actual) / actual;
      runRateError += Math.abs((observed / day) * MONTH_DAYS - actual) / actual;
      inside80 += Number(observed + low80 <= actual && actual <= observed + high80);
      inside95 += Number(observed + low95 <= actual && actual <= observed + high95);

      const start = points[0]?.day.getTime() ?? FIRST_DAY;
      const flagged = forecast.anomalies.map((a) => Math.round((a.day.getTime() - start) / DAY_MS));
      const spikesSeen = [...spikes].filter((i) => i < history.length);
      spikesInjected += spikesSeen.length;
      spikesFound += spikesSeen.filter((i) => flagged.includes(i)).length;
      falseAnomalies += flagged.filter((i) => !spikes.has(i)).length;
      normalDaysChecked += history.length - spikesSeen.length;
    }
    return {
      day,
      modelMape: modelError / count,
      runRateMape: runRateError / count,
      coverage80: inside80 / count,
      coverage95: inside95 / count,
    };
  });

  return { series: count, checkpoints, spikesInjected, spikesFound, falseAnomalies, normalDaysChecked };
}

/**
 * PRIOR_DAYS of past usage then the evaluated month: linear trend of −1 % to +4 % of the starting level per week,
 * a weekly pattern (quieter or busier weekends), multiplicative normal noise, and 1–3 spikes in the past days.
 */
function generateSeries(random: () => number): SyntheticSeries {
  const start = FIRST_DAY + Math.floor(random() * 7) * DAY_MS;
  const level = 10 ** (1 + 3 * random());
  const weeklyGrowth = process.env.NOTREND ? (random(), 0) : -0.01 + 0.05 * random();
  const weekend = process.env.NOWEEK ? (random(), random(), 1) : random() < 0.5 ? 0.4 + 0.4 * random() : 1.2 + 0.4 * random();
  const weekdayFactors = Array.from({ length: 7 }, (_, dow) => (dow === 0 || dow === 6 ? weekend : 0.9 + 0.2 * random()));
  const spikeCount = 1 + Math.floor(random() * 3);
  const spikes = new Set<number>();
  while (spikes.size < spikeCount) spikes.add(Math.floor(random() * PRIOR_DAYS));

  const points = Array.from({ length: PRIOR_DAYS + MONTH_DAYS }, (_, t) => {
    const day = new Date(start + t * DAY_MS);
    const normal = level * (1 + (weeklyGrowth * t) / 7) * (weekdayFactors[day.getUTCDay()] ?? 1);
    const value = Math.max(0, normal * (1 + NOISE * gaussian(random)) * (spikes.has(t) ? SPIKE_FACTOR : 1));
    return { day, value };
  });
  return { points, spikes };
}

/** Tiny seeded PRNG (mulberry32): deterministic and good enough for simulation. */
export function mulberry32(seed: number): () => number {
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
