import { Repeater } from '@repeaterjs/repeater';
import type { Logger } from 'pino';
import { MoreThan, type DataSource } from 'typeorm';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { Listeners } from '../../common/pubsub/listeners';
import { Alert } from './alert.entity';

/** At most this many alerts are replayed when a subscription resumes: the newest of those after its cursor. */
export const ALERT_BACKLOG_LIMIT = 1000;

/**
 * `alertTriggered`: an alert announced on the bus (from any node) is read once and pushed to its organisation's
 * subscribers here. A subscription that resumes after an alert (`afterSeq`) first gets the alerts inserted since,
 * oldest first, then the live ones, with no gap and no duplicate: it listens before it reads the backlog, holds
 * what arrives meanwhile, and then passes only alerts past the backlog. An organisation's alerts are inserted one
 * transaction at a time (AlertRaiser), so `seq` follows commit order: every alert at or below the backlog's last
 * `seq` was committed before the backlog was read, and is in it.
 */
export class AlertLiveHub {
  private readonly listeners = new Listeners<Alert>();

  constructor(
    bus: ChangeBus,
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {
    bus.onChange((message) => void this.announced(message));
  }

  subscribe(organizationId: string, afterSeq: string | null = null): AsyncIterableIterator<Alert> {
    return new Repeater<Alert>(async (push, stop) => {
      // Until the backlog is sent, live alerts wait here; then `floor` screens out those the backlog held.
      let held: Alert[] | null = afterSeq === null ? null : [];
      let floor = afterSeq === null ? null : BigInt(afterSeq);
      const remove = this.listeners.add(organizationId, (alert) => {
        if (held) held.push(alert);
        else if (floor === null || BigInt(alert.seq) > floor) void push(alert);
      });
      try {
        if (floor !== null) {
          const backlog = await this.backlog(organizationId, floor.toString());
          // One push at a time: a backlog of a thousand would overflow the repeater's queue of pending pushes.
          for (const alert of backlog) await push(alert);
          const last = backlog.at(-1);
          if (last) floor = BigInt(last.seq);
          const waiting = held ?? [];
          held = null;
          for (const alert of waiting.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)))
            if (BigInt(alert.seq) > floor) void push(alert);
        }
        await stop;
      } catch (err) {
        stop(err);
      } finally {
        remove();
      }
    });
  }

  /** The newest ALERT_BACKLOG_LIMIT alerts after `afterSeq`, oldest first. */
  private async backlog(organizationId: string, afterSeq: string): Promise<Alert[]> {
    const newest = await this.db.getRepository(Alert).find({
      where: { organizationId, seq: MoreThan(afterSeq) },
      order: { seq: 'DESC' },
      take: ALERT_BACKLOG_LIMIT,
    });
    return newest.reverse();
  }

  private async announced(message: string): Promise<void> {
    const [organizationId, alertId] = message.split('/');
    if (!organizationId || !alertId || !this.listeners.has(organizationId)) return;
    try {
      const alert = await this.db.getRepository(Alert).findOneBy({ id: alertId, organizationId });
      if (alert) this.listeners.emit(organizationId, alert);
    } catch (err) {
      this.logger.error({ err, alertId }, 'live alert could not be read');
    }
  }
}
