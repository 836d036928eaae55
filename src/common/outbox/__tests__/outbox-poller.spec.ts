import { backoffDelay, OutboxPoller } from '../outbox-poller';

describe('OutboxPoller', () => {
  it('runs one drain at a time: kicks during a run ask for exactly one more run after it', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const poller = new OutboxPoller(
      () => {
        runs += 1;
        return new Promise<void>((resolve) => (release = resolve));
      },
      60_000,
      () => undefined,
    );
    poller.kick();
    poller.kick();
    poller.kick();
    expect(runs).toBe(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(2);
    release();
    await poller.stop();
    poller.kick();
    expect(runs).toBe(2);
  });

  it('waits on stop for the run under way, and reports a failed run without stopping', async () => {
    const errors: unknown[] = [];
    let finished = false;
    let fail = true;
    const poller = new OutboxPoller(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (fail) throw new Error('database down');
        finished = true;
      },
      60_000,
      (err) => errors.push(err),
    );
    poller.kick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors).toEqual([new Error('database down')]);
    fail = false;
    poller.kick();
    expect(poller.stopped).toBe(false);
    await poller.stop();
    expect(finished).toBe(true);
    expect(poller.stopped).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base on each attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 13].map((attempt) => backoffDelay(attempt, 1000, 3600_000))).toEqual([1000, 2000, 4000, 8000, 3600_000]);
  });
});
