import { Client } from 'pg';
import type { Logger } from 'pino';
import type { ChangeBus } from './change-bus';

/**
 * PostgreSQL LISTEN/NOTIFY: nothing extra to run, and a NOTIFY sent inside the
 * writing transaction is delivered exactly when it commits.
 */
export class PostgresChangeBus implements ChangeBus {
  private client: Client | undefined;
  private readonly handlers: Array<(organizationId: string) => void> = [];
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  get notifyChannel(): string {
    return this.channel;
  }

  async afterCommitAll(): Promise<void> {
    // Delivered by the NOTIFYs sent in the transaction.
  }

  onChange(handler: (organizationId: string) => void): void {
    this.handlers.push(handler);
  }

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'meterly-listen' });
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      for (const handler of this.handlers) handler(message.payload);
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'LISTEN connection lost; reconnecting');
      this.reconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      // A database still starting up may accept the connection and refuse the LISTEN: the next try opens a new one.
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
  }

  private reconnect(): void {
    const old = this.client;
    this.client = undefined;
    void old?.end().catch(() => undefined);
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.start().catch((err: unknown) => {
        this.logger.warn({ err }, 'LISTEN reconnect failed');
        this.reconnect();
      });
    }, 1000);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}
