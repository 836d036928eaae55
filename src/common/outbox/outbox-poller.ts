/**
 * The loop every outbox worker runs (alert deliveries, platform events, statements): drain the due rows every
 * `pollMs` or when kicked, one run at a time; a kick during a run asks for one more run after it, so nothing
 * committed meanwhile waits for the next poll. `stop` waits for the run under way, so no delivery is cut off by
 * the database closing.
 */
export class OutboxPoller {
  private timer: NodeJS.Timeout | undefined;
  private run: Promise<void> | null = null;
  private again = false;
  private halted = false;

  constructor(
    private readonly drain: () => Promise<void>,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** True once stopped: a drain checks it between batches. */
  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    this.halted = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.halted = true;
    clearInterval(this.timer);
    await this.run;
  }

  /** Runs now, or once more when a run is under way. */
  kick(): void {
    if (this.halted) return;
    if (this.run) {
      this.again = true;
      return;
    }
    this.run = this.drain()
      .catch(this.onError)
      .finally(() => {
        this.run = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }
}

/**
 * An outbox worker: its `drain` run by an OutboxPoller, started, stopped and
 * kicked through it. `drain` may check `poller.stopped` between batches.
 */
export abstract class OutboxWorker {
  protected readonly poller: OutboxPoller;

  protected constructor(pollMs: number, onError: (err: unknown) => void) {
    this.poller = new OutboxPoller(() => this.drain(), pollMs, onError);
  }

  start(): void {
    this.poller.start();
  }

  /** Stops polling and waits for the run under way, so no delivery is cut off by the database closing. */
  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Runs now, or once more when a run is under way. */
  kick(): void {
    this.poller.kick();
  }

  /** Sends what is due, batch after batch, until nothing is. */
  protected abstract drain(): Promise<void>;
}

/** The wait before attempt `attempt + 1`: exponential from `baseMs` (attempt 1 waits `baseMs`), capped at `maxMs`. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), maxMs);
}
