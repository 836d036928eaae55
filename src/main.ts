import './common/production-defaults';
import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { dataSourceOptions } from './app/data-source-options';
import { inspect } from 'node:util';
import { sendHeartbeats, watchHeartbeats } from './app/worker-heartbeat';
import {
  EmbeddedPostgresError,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
  type EmbeddedPostgresEvent,
} from './common/database/embedded-postgres';
import { QueryLogger } from './common/database/query-logger';
import { createLogger } from './common/observability/logger';
import { NO_REPLACEMENTS, setProcessHealth, type ProcessHealth } from './common/observability/process-health';
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

/** What the primary tells every worker, for /healthz. */
interface HealthMessage {
  kind: 'meterly-health';
  health: ProcessHealth;
}

/** A worker that dies before it is ready waits this long before the next try (the database may be restarting). */
const RETRY_UNREADY_WORKER_MS = 1000;

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
  const health = healthBoard();

  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    const dataDir = join(config.dataDir, 'pg');
    logger.info({ dataDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.embeddedPgPort,
      database: 'meterly',
      persistent: true,
      // The workers' pools and LISTEN connections reconnect by themselves once it is back.
      keepAlive: true,
      onEvent: (event) => onDatabaseEvent(event, logger, health),
    });
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
    const workers = await forkWorkers(config, databaseUrl, logger, health);
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

/** The primary's account of replaced workers and database restarts, sent to every worker on each change. */
function healthBoard() {
  let health: ProcessHealth = NO_REPLACEMENTS;
  const sendTo = (worker: Worker) => {
    const message: HealthMessage = { kind: 'meterly-health', health };
    if (worker.isConnected()) worker.send(message);
  };
  setProcessHealth(health);
  return {
    sendTo,
    update(change: (current: ProcessHealth) => Partial<ProcessHealth>): void {
      health = { ...health, ...change(health) };
      // With WORKERS=1 this process serves /healthz itself.
      setProcessHealth(health);
      for (const worker of Object.values(cluster.workers ?? {})) if (worker) sendTo(worker);
    },
  };
}
type HealthBoard = ReturnType<typeof healthBoard>;

function onDatabaseEvent(event: EmbeddedPostgresEvent, logger: Logger, health: HealthBoard): void {
  switch (event.kind) {
    case 'stale-cleared':
      logger.warn({ pid: event.stale.pid, cleared: event.stale.kind }, 'cleared a PostgreSQL left on the data directory by a crash');
      break;
    case 'exited':
      logger.error({ code: event.code, signal: event.signal }, 'embedded PostgreSQL exited; restarting it');
      break;
    case 'restart-failed':
      logger.warn({ err: event.error, attempt: event.attempt }, 'embedded PostgreSQL did not restart yet; trying again');
      break;
    case 'restarted':
      logger.warn({ attempt: event.attempt }, 'embedded PostgreSQL restarted');
      health.update((h) => ({ databaseRestarts: h.databaseRestarts + 1, lastDatabaseRestart: new Date().toISOString() }));
      break;
  }
}

/**
 * Forks the workers one by one (the first loads the demo data) and replaces
 * any that dies, or whose event loop is blocked longer than WORKER_BLOCKED_MS.
 */
async function forkWorkers(
  config: AppConfig,
  databaseUrl: string,
  logger: Logger,
  health: HealthBoard,
): Promise<{ ready: ReadyMessage; stop(): Promise<void> }> {
  let stopping = false;
  const blocked = new WeakSet<Worker>();
  const heartbeats =
    config.workerBlockedMs > 0
      ? watchHeartbeats(config.workerBlockedMs, (worker) => {
          logger.error({ pid: worker.process.pid, blockedMs: config.workerBlockedMs }, 'worker blocked; replacing it');
          blocked.add(worker);
          // It cannot run a SIGTERM handler while its loop is stuck.
          worker.process.kill('SIGKILL');
        })
      : null;
  const fork = (index: string): Promise<ReadyMessage> => {
    const worker = cluster.fork({ DATABASE_URL: databaseUrl, MTR_WORKER_INDEX: index });
    let isReady = false;
    health.sendTo(worker);
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      const reason = blocked.has(worker) ? 'blocked' : 'exited';
      logger.error({ worker: index, code, signal, reason }, 'worker gone; starting another');
      health.update((h) => ({
        workersReplaced: h.workersReplaced + 1,
        lastWorkerReplacement: { worker: index, reason, at: new Date().toISOString() },
      }));
      // One that could not even start (the database restarting) is not retried in a tight loop.
      setTimeout(
        () => {
          if (!stopping) void fork(index).catch((err: unknown) => logger.error({ err }, 'worker restart failed'));
        },
        isReady ? 0 : RETRY_UNREADY_WORKER_MS,
      );
    });
    return new Promise((resolve, reject) => {
      worker.on('message', (message: ReadyMessage) => {
        if (message.kind !== 'meterly-ready') return;
        isReady = true;
        heartbeats?.watch(worker);
        resolve(message);
      });
      worker.once('exit', (code) => reject(new Error(`worker ${index} exited with ${code} before it was ready`)));
    });
  };
  const ready = await fork(FIRST_WORKER);
  for (let i = 1; i < config.workers; i++) await fork(String(i));
  return {
    ready,
    stop: async () => {
      stopping = true;
      heartbeats?.stop();
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
  process.on('message', (message: HealthMessage) => message.kind === 'meterly-health' && setProcessHealth(message.health));
  const db = new DataSource(dataSourceOptions(config.databaseUrl!, { logger: new QueryLogger(logger) }));
  await db.initialize();
  const { server, ready } = await startNode(db, config, logger, first && config.demoData);
  process.send?.(ready);
  if (config.workerBlockedMs > 0) sendHeartbeats(config.workerBlockedMs);

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

/** One line for a failure we understand (a taken port), the stack otherwise, and never a bare `undefined`. */
function startupFailure(err: unknown): string {
  if (err instanceof EmbeddedPostgresError) return `Meterly did not start: ${err.message}`;
  if (err instanceof Error) return err.stack ?? err.message;
  return `Meterly did not start: ${inspect(err)}`;
}

(cluster.isPrimary ? primary() : worker()).catch((err: unknown) => {
  process.stderr.write(`${startupFailure(err)}\n`);
  process.exit(1);
});
