import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/common/database/embedded-postgres';
import { freePort } from '../helpers/free-port';
import { withDatabase } from '../helpers/database-url';

declare global {
  var __METERLY_EMBEDDED_PG__: EmbeddedDatabase | undefined;
}

/**
 * One PostgreSQL per test run: embedded (throwaway) unless DATABASE_URL is set.
 * Migrations run once into a template; each test file clones it.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: mkdtempSync(join(tmpdir(), 'meterly-test-pg-')),
      port: await freePort(),
      database: 'postgres',
      persistent: false,
    });
    globalThis.__METERLY_EMBEDDED_PG__ = embedded;
    adminUrl = embedded.adminUrl;
  }
  const template = `meterly_test_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();

  const db = new DataSource(dataSourceOptions(withDatabase(adminUrl, template)));
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  await db.destroy();

  process.env.METERLY_TEST_ADMIN_URL = adminUrl;
  process.env.METERLY_TEST_TEMPLATE = template;
}
