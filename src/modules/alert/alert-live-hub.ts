import { Repeater } from '@repeaterjs/repeater';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { Alert } from './alert.entity';

/** `alertTriggered`: an alert announced on the bus (from any node) is read once and pushed to its organisation's subscribers here. */
export class AlertLiveHub {
  private readonly listeners = new Map<string, Set<(alert: Alert) => void>>();

  constructor(
    bus: ChangeBus,
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {
    bus.onChange((message) => void this.announced(message));
  }

  subscribe(organizationId: string): AsyncIterableIterator<Alert> {
    return new Repeater<Alert>(async (push, stop) => {
      const listener = (alert: Alert) => void push(alert);
      const set = this.listeners.get(organizationId) ?? new Set();
      set.add(listener);
      this.listeners.set(organizationId, set);
      await stop;
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(organizationId);
    });
  }

  private async announced(message: string): Promise<void> {
    const [organizationId, alertId] = message.split('/');
    const listeners = organizationId ? this.listeners.get(organizationId) : undefined;
    if (!listeners?.size || !alertId) return;
    try {
      const alert = await this.db.getRepository(Alert).findOneBy({ id: alertId, organizationId });
      if (alert) for (const listener of listeners) listener(alert);
    } catch (err) {
      this.logger.error({ err, alertId }, 'live alert could not be read');
    }
  }
}
