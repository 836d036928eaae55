import { Repeater } from '@repeaterjs/repeater';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { Listeners } from '../../common/pubsub/listeners';
import { Alert } from './alert.entity';

/** `alertTriggered`: an alert announced on the bus (from any node) is read once and pushed to its organisation's subscribers here. */
export class AlertLiveHub {
  private readonly listeners = new Listeners<Alert>();

  constructor(
    bus: ChangeBus,
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {
    bus.onChange((message) => void this.announced(message));
  }

  subscribe(organizationId: string): AsyncIterableIterator<Alert> {
    return new Repeater<Alert>(async (push, stop) => {
      const remove = this.listeners.add(organizationId, (alert) => void push(alert));
      await stop;
      remove();
    });
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
