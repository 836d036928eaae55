import './common/production-defaults';
import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { dataSourceOptions } from './app/data-source-options';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './common/database/embedded-postgres';
import { QueryLogger } from './common/database/query-logger';
import { createLogger } from './common/observability/logger';
import { loadConfig, type AppConfig } from './config';
import { ApiKeyService } from './modules/api-key/api-key.service';
import { ensureUsagePartitions } from './modules/usage/usage-partitions';

/** What a worker tells the primary once it listens. */
interface ReadyMessage {
  kind: 'meterly-ready';
  url: string;
  wsUrl: string;
  port: number;
  demoOrganizationId: string | null;
}

const FIRST_WORKER = '0';

/**
 * `npm start`: database (embedded unless DATABASE_URL), migrations, demo data,
 * then the server: in this process with WORKERS=1, otherwise one worker
 * process per core sharing the port (node:cluster). Workers are nodes like
 * any other: live updates cross them over the change bus, and only the first
 * runs the billing scheduler.
 */
async function primary(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    const dataDir = join(config.dataDir, 'pg');
    logger.info({ dataDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, database: 'meterly', persistent: true });
    // embedded-postgres stops its cluster and exits (143) on SIGTERM/SIGINT by itself; the shutdown below
    // stops it last, once the workers have drained and closed their connections.
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
  }
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  const db = new DataSource(dataSourceOptions(databaseUrl, { logger: new QueryLogger(logger) }));
  await db.initialize();
  const applied = await db.runMigrations({ transaction: 'each' });
  logger.info({ applied: applied.map((m) => m.name) }, 'migrations up to date');
  await ensureUsagePartitions(db);
  // Next months' partitions exist before their events arrive.
  const partitions = setInterval(
    () => void ensureUsagePartitions(db).catch((err: unknown) => logger.warn({ err }, 'partition upkeep failed')),
    24 * 3600_000,
  );
  partitions.unref();
  const generatedKey = await new ApiKeyService(db).ensurePlatformAdminKey(config.adminApiKey);

  let stop: () => Promise<void>;
  let ready: ReadyMessage;
  if (config.workers === 1) {
    const node = await startNode(db, config, logger, config.demoData);
    ready = node.ready;
    stop = () => node.server.close();
  } else {
    const workers = await forkWorkers(config, databaseUrl, logger);
    ready = workers.ready;
    stop = workers.stop;
  }
  printWelcome(ready, generatedKey);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining HTTP and websockets');
    try {
      await stop();
      await db.destroy();
      await embedded?.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * The server on `db`, with the demo data when asked. Its modules are loaded
 * only where a server runs, so that a cluster's primary stays small.
 */
async function startNode(db: DataSource, config: AppConfig, logger: Logger, loadDemo: boolean) {
  const [{ startServer }, { DemoSeedService }] = await Promise.all([import('./server.js'), import('./modules/demo/demo-seed.service.js')]);
  const server = await startServer({ db, config, logger });
  const demo = loadDemo ? await new DemoSeedService(db, server.services, logger).loadIfEmpty() : null;
  const ready: ReadyMessage = {
    kind: 'meterly-ready',
    url: server.url,
    wsUrl: server.wsUrl,
    port: server.port,
    demoOrganizationId: demo?.organizationId ?? null,
  };
  return { server, ready };
}

/** Forks the workers one by one (the first loads the demo data) and replaces any that dies. */
async function forkWorkers(
  config: AppConfig,
  databaseUrl: string,
  logger: Logger,
): Promise<{ ready: ReadyMessage; stop(): Promise<void> }> {
  let stopping = false;
  const fork = (index: string): Promise<ReadyMessage> => {
    const worker = cluster.fork({ DATABASE_URL: databaseUrl, MTR_WORKER_INDEX: index });
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ worker: index, code, signal }, 'worker died; starting another');
      void fork(index).catch((err: unknown) => logger.error({ err }, 'worker restart failed'));
    });
    return new Promise((resolve, reject) => {
      worker.on('message', (message: ReadyMessage) => message.kind === 'meterly-ready' && resolve(message));
      worker.once('exit', (code) => reject(new Error(`worker ${index} exited with ${code} before it was ready`)));
    });
  };
  const ready = await fork(FIRST_WORKER);
  for (let i = 1; i < config.workers; i++) await fork(String(i));
  return {
    ready,
    stop: async () => {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      await Promise.all(
        alive.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

/** A worker: the server on the primary's database; the first also runs the scheduler and loads demo data. */
async function worker(): Promise<void> {
  const first = process.env.MTR_WORKER_INDEX === FIRST_WORKER;
  const loaded = loadConfig();
  const config: AppConfig = { ...loaded, billingIntervalSeconds: first ? loaded.billingIntervalSeconds : 0 };
  const logger = createLogger(config.logLevel).child({ worker: process.env.MTR_WORKER_INDEX });
  const db = new DataSource(dataSourceOptions(config.databaseUrl!, { logger: new QueryLogger(logger) }));
  await db.initialize();
  const { server, ready } = await startNode(db, config, logger, first && config.demoData);
  process.send?.(ready);

  let stopping = false;
  process.once('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void server
      .close()
      .then(() => db.destroy())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'worker shutdown failed');
          process.exit(1);
        },
      );
  });
  // Ctrl-C reaches the whole process group: the primary drives the shutdown.
  process.on('SIGINT', () => undefined);
}

function printWelcome(ready: ReadyMessage, generatedKey: string | null): void {
  // Human-facing lines go to stderr so stdout stays pure JSON logs.
  const lines = [
    '',
    `  Meterly GraphQL: ${ready.url}   (graphql-ws: ${ready.wsUrl})`,
    `  Health: http://localhost:${ready.port}/healthz   Metrics: http://localhost:${ready.port}/metrics`,
    ...(generatedKey
      ? ['', `  Platform admin API key (shown once, store it now): ${generatedKey}`, `  Send it as: Authorization: Bearer ${generatedKey}`]
      : []),
    ...(ready.demoOrganizationId ? ['', `  Demo organization: ${ready.demoOrganizationId}`] : []),
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
}

(cluster.isPrimary ? primary() : worker()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
