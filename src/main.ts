import './common/production-defaults';
import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './common/database/data-source-options';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './common/database/embedded-postgres';
import { createLogger } from './common/observability/logger';
import { loadConfig } from './config';
import { ApiKeyService } from './modules/api-key/api-key.service';
import { DemoSeedService } from './modules/demo/demo-seed.service';
import { ensureUsagePartitions } from './modules/usage/usage-partitions';
import { startServer } from './server';

/** `npm start`: database (embedded unless DATABASE_URL), migrations, demo data, server. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    const dataDir = join(config.dataDir, 'pg');
    logger.info({ dataDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, database: 'meterly', persistent: true });
  }
  const db = new DataSource(dataSourceOptions(config.databaseUrl ?? embedded!.url));
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
  const server = await startServer({ db, config, logger });
  const demo = config.demoData ? await new DemoSeedService(db, server.services, logger).loadIfEmpty() : null;

  // Human-facing lines go to stderr so stdout stays pure JSON logs.
  const lines = [
    '',
    `  Meterly GraphQL: ${server.url}   (graphql-ws: ${server.wsUrl})`,
    `  Health: http://localhost:${server.port}/healthz   Metrics: http://localhost:${server.port}/metrics`,
    ...(generatedKey
      ? ['', `  Platform admin API key (shown once, store it now): ${generatedKey}`, `  Send it as: Authorization: Bearer ${generatedKey}`]
      : []),
    ...(demo ? ['', `  Demo organization: ${demo.organizationId}`] : []),
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining HTTP and websockets');
    try {
      await server.close();
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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
