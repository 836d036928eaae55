import { Repeater } from '@repeaterjs/repeater';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { ChangeBus } from '../../../common/pubsub/change-bus';
import { Listeners } from '../../../common/pubsub/listeners';
import type { UsageReport } from '../dto/usage.types';
import type { UsageQueryService } from '../usage-query.service';

export interface LiveHubOptions {
  /** Minimum time between two pushes to one organisation's subscribers. */
  intervalMs: number;
  /** Wait after the first change of a burst, to take the rest of it in. */
  settleMs: number;
}

/**
 * Live usage for `usageUpdated`: a change announced on the bus (from any node)
 * schedules one recomputation per organisation, coalesced to at most one push
 * per interval, and the same report goes to all of its subscribers here.
 */
export class UsageLiveHub {
  private readonly listeners = new Listeners<UsageReport>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly lastPush = new Map<string, number>();

  constructor(
    bus: ChangeBus,
    private readonly query: UsageQueryService,
    private readonly logger: Logger,
    private readonly counters: { reports: Counter; messages: Counter },
    private readonly options: LiveHubOptions = { intervalMs: 100, settleMs: 10 },
  ) {
    bus.onChange((organizationId) => this.changed(organizationId));
  }

  /** Reports for one organisation: the current one first, then one after each (coalesced) change. */
  subscribe(organizationId: string): AsyncIterableIterator<UsageReport> {
    return new Repeater<UsageReport>(async (push, stop) => {
      let updated = false;
      const remove = this.listeners.add(organizationId, (report) => {
        updated = true;
        void push(report);
      });
      try {
        const initial = await this.query.reportFor(organizationId);
        if (!updated) await push(initial);
      } catch (err) {
        stop(err);
      }
      await stop;
      remove();
    });
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private changed(organizationId: string): void {
    if (!this.listeners.has(organizationId)) return;
    if (this.running.has(organizationId)) {
      this.dirty.add(organizationId);
      return;
    }
    if (this.timers.has(organizationId)) return;
    const since = Date.now() - (this.lastPush.get(organizationId) ?? 0);
    const delay = Math.max(this.options.settleMs, this.options.intervalMs - since);
    this.timers.set(
      organizationId,
      setTimeout(() => void this.flush(organizationId), delay),
    );
  }

  private async flush(organizationId: string): Promise<void> {
    this.timers.delete(organizationId);
    this.running.add(organizationId);
    try {
      if (!this.listeners.has(organizationId)) return;
      const report = await this.query.reportFor(organizationId);
      this.counters.reports.inc();
      this.counters.messages.inc(this.listeners.emit(organizationId, report));
      this.lastPush.set(organizationId, Date.now());
    } catch (err) {
      this.logger.error({ err, organizationId }, 'live usage report failed');
    } finally {
      this.running.delete(organizationId);
      if (this.dirty.delete(organizationId)) this.changed(organizationId);
    }
  }
}
