import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ChangeBus } from '../common/pubsub/change-bus';
import { PostgresChangeBus } from '../common/pubsub/postgres-change-bus';
import { RedisChangeBus } from '../common/pubsub/redis-change-bus';
import type { AppConfig } from '../config';
import { ALERT_CHANNEL } from '../modules/alert/alert.service';
import { API_KEY_CHANNEL } from '../modules/api-key/api-key.service';
import { startBillingScheduler } from '../modules/billing/billing-scheduler';
import { USAGE_CHANNEL } from '../modules/usage/usage-ingest.service';
import type { Services } from '../services';
import type { RequestContext } from './request-context';
import type { GraphqlWsServer } from './ws-server';

/** How live updates cross the nodes sharing a database. */
export interface ChangeBuses {
  usage: ChangeBus;
  alert: ChangeBus;
  /** Keys changed in the database: always LISTEN, since a trigger announces them, whoever changed them. */
  apiKeys: ChangeBus;
}

/** The connection URL of the DataSource, for the LISTEN connection. */
function postgresUrl(db: DataSource): string {
  const url = (db.options as { url?: string }).url;
  if (!url) throw new Error('The DataSource must be configured with a url');
  return url;
}

/** Redis when configured, otherwise PostgreSQL's LISTEN/NOTIFY on the app's own database. */
export async function startChangeBuses(db: DataSource, config: AppConfig, logger: Logger): Promise<ChangeBuses> {
  const busOn = (channel: string): ChangeBus =>
    config.redisUrl ? new RedisChangeBus(config.redisUrl, channel, logger) : new PostgresChangeBus(postgresUrl(db), channel, logger);
  const buses = {
    usage: busOn(USAGE_CHANNEL),
    alert: busOn(ALERT_CHANNEL),
    apiKeys: new PostgresChangeBus(postgresUrl(db), API_KEY_CHANNEL, logger),
  };
  await Promise.all([buses.usage.start(), buses.alert.start(), buses.apiKeys.start()]);
  return buses;
}

/** Listens on the configured port (0: any free one); `host` is the name clients reach it by. */
export async function listen(httpServer: Server, config: AppConfig): Promise<{ host: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return { host, port };
}

/** The billing cycle on a timer, on the nodes configured to run it (0 seconds: none). */
export function startScheduler(services: Services, config: AppConfig, logger: Logger): { stop(): void } | null {
  return config.billingIntervalSeconds > 0 ? startBillingScheduler(services.billing, config.billingIntervalSeconds, logger) : null;
}

export interface NodeParts {
  scheduler: { stop(): void } | null;
  apollo: ApolloServer<RequestContext>;
  ws: GraphqlWsServer;
  services: Services;
  buses: ChangeBuses;
}

/** Graceful close: no new billing runs, then drain HTTP and websockets, then the live hubs, delivery and buses. */
export async function closeNode({ scheduler, apollo, ws, services, buses }: NodeParts): Promise<void> {
  scheduler?.stop();
  await apollo.stop();
  ws.close();
  services.usageLive.close();
  await services.alertDelivery.stop();
  await services.apiKeyUsage.stop();
  await services.webhookDelivery.stop();
  await services.statementDelivery?.stop();
  await Promise.all([buses.usage.close(), buses.alert.close(), buses.apiKeys.close()]);
}
