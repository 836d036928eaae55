import 'reflect-metadata';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import { QueryLogger } from '../../src/common/database/query-logger';
import { loadConfig, type AppConfig } from '../../src/config';
import { ApiKeyService } from '../../src/modules/api-key/api-key.service';
import { startServer, type RunningServer } from '../../src/server';
import type { StripeSetup } from '../../src/services';
import { GraphQLClient } from './graphql-client';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestServer {
  db: DataSource;
  server: RunningServer;
  adminKey: string;
  /** A client with the platform admin key. */
  admin: GraphQLClient;
  client(key?: string): GraphQLClient;
  close(): Promise<void>;
}

/**
 * The real server on a fresh cloned database, listening on a free loopback
 * port; with `sharing`, a second node on that server's database.
 */
export async function startTestServer(overrides: Partial<AppConfig> = {}, sharing?: TestServer, stripe?: StripeSetup): Promise<TestServer> {
  const database: TestDatabase | null = sharing ? null : await createTestDatabase();
  const url = database?.url ?? (sharing!.db.options as { url: string }).url;
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const db = new DataSource(dataSourceOptions(url, { extra: { max: 10 }, logger: new QueryLogger(logger) }));
  await db.initialize();
  const adminKey = sharing?.adminKey ?? ApiKeyService.generate();
  await new ApiKeyService(db).ensurePlatformAdminKey(adminKey);
  const config: AppConfig = { ...loadConfig({}), port: 0, host: '127.0.0.1', billingIntervalSeconds: 0, ...overrides };
  const server = await startServer({ db, config, logger, stripe });
  const client = (key?: string) => new GraphQLClient(server.url, key);
  return {
    db,
    server,
    adminKey,
    admin: client(adminKey),
    client,
    close: async () => {
      await server.close();
      if (db.isInitialized) await db.destroy();
      await database?.drop();
    },
  };
}
