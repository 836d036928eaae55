/**
 * Runs a command with DATABASE_URL set: the given one, or the embedded
 * PostgreSQL kept in ./.data (the one `npm start` uses), migrated to the
 * latest migration first so that generated migrations hold only new changes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/app/data-source-options';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres } from '../src/common/database/embedded-postgres';

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: with-database <command> [args...]');
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: join(config.dataDir, 'pg'),
        port: config.embeddedPgPort,
        database: 'meterly',
        persistent: true,
      });
  const url = config.databaseUrl ?? embedded!.url;
  const db = new DataSource(dataSourceOptions(url));
  await db.initialize();
  await db.runMigrations({ transaction: 'each' });
  await db.destroy();
  const env = { ...process.env, DATABASE_URL: url };
  const code = await new Promise<number>((resolve) => {
    spawn(command, args, { stdio: 'inherit', env }).on('exit', (c) => resolve(c ?? 1));
  });
  await embedded?.stop();
  process.exit(code);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
