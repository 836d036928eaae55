import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChangeBus } from './change-bus';

/** Redis pub/sub, for deployments that run Redis already (REDIS_URL); published once the transaction has committed. */
export class RedisChangeBus implements ChangeBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers: Array<(organizationId: string) => void> = [];

  constructor(
    url: string,
    private readonly channel: string,
    logger: Logger,
  ) {
    this.publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: true });
    for (const client of [this.publisher, this.subscriber]) client.on('error', (err) => logger.warn({ err }, 'redis connection error'));
    this.subscriber.on('message', (channel: string, organizationId: string) => {
      if (channel === this.channel) for (const handler of this.handlers) handler(organizationId);
    });
  }

  readonly notifyChannel = null;

  async afterCommitAll(messages: string[]): Promise<void> {
    if (messages.length === 0) return;
    const pipeline = this.publisher.pipeline();
    for (const message of messages) pipeline.publish(this.channel, message);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  onChange(handler: (organizationId: string) => void): void {
    this.handlers.push(handler);
  }

  async start(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher.quit(), this.subscriber.quit()]).catch(() => undefined);
  }
}
