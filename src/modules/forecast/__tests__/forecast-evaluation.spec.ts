import { evaluateForecasts, missedGoals } from '../forecast-evaluation';

describe('evaluateForecasts', () => {
  // 300 months: with 60 the sampling error of an 80 % coverage alone is ±5 points, the whole tolerance
  const report = evaluateForecasts({ series: 300 });

  it('beats the run rate at days 7, 14 and 21', () => {
    expect(report.checkpoints.map((c) => c.day)).toEqual([7, 14, 21]);
    for (const c of report.checkpoints) expect(c.modelMape).toBeLessThan(c.runRateMape);
  });

  it('keeps interval coverage within 5 points of nominal', () => {
    for (const c of report.checkpoints) {
      expect(Math.abs(c.coverage80 - 0.8)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(c.coverage95 - 0.95)).toBeLessThanOrEqual(0.05);
    }
  });

  it('finds the injected spikes with few false anomalies', () => {
    expect(report.spikesInjected).toBeGreaterThan(300);
    expect(report.spikesFound / report.spikesInjected).toBeGreaterThanOrEqual(0.9);
    expect(report.falseAnomalies / report.normalDays).toBeLessThanOrEqual(0.002);
    expect(missedGoals(report)).toEqual([]);
  });

  it('is deterministic for a seed', () => {
    expect(evaluateForecasts({ series: 20, seed: 7 })).toEqual(evaluateForecasts({ series: 20, seed: 7 }));
    expect(evaluateForecasts({ series: 20, seed: 8 })).not.toEqual(evaluateForecasts({ series: 20, seed: 7 }));
  });

  it('reports a missed goal', () => {
    const worse = { ...report, checkpoints: report.checkpoints.map((c) => ({ ...c, modelMape: c.runRateMape, coverage95: 0.8 })) };
    expect(missedGoals(worse)).toHaveLength(6);
  });
});
