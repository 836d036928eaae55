/**
 * Runs a command with DATABASE_URL set: the given one, or the embedded
 * PostgreSQL kept in ./.data (the one `npm start` uses). Used by migration:*.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
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
  const env = { ...process.env, DATABASE_URL: config.databaseUrl ?? embedded?.url };
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
