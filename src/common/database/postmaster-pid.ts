import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * A PostgreSQL left running by a crashed parent still holds its data
 * directory (postmaster.pid) and its port, and a new postmaster refuses to
 * start on it. It is found through the pid file and stopped, so that the next
 * start takes the directory over with all its data.
 */

/** What is left of a previous postmaster on a data directory. */
export type StalePostmaster =
  | { kind: 'none' }
  /** The file names a process that is gone (or is something else now): it was removed. */
  | { kind: 'removed-pid-file'; pid: number }
  /** A postmaster of this data directory was running and has been stopped. */
  | { kind: 'stopped'; pid: number };

const SHUTDOWN_GRACE_MS = 15_000;

/** Stops a postmaster still running on `dataDir`, or removes its pid file if that process is gone. */
export async function clearStalePostmaster(dataDir: string): Promise<StalePostmaster> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = readPid(pidFile);
  if (pid === null) return { kind: 'none' };
  if (!isPostmasterOf(pid, dataDir, pidFile)) {
    rmSync(pidFile, { force: true });
    return { kind: 'removed-pid-file', pid };
  }
  // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, everything committed is kept.
  if (!(await signalAndWait(pid, 'SIGINT', SHUTDOWN_GRACE_MS))) {
    // Immediate shutdown: the next start replays the WAL, as after a crash.
    if (!(await signalAndWait(pid, 'SIGQUIT', 5_000))) {
      throw new Error(`The PostgreSQL left running on ${dataDir} (pid ${pid}) does not stop; stop it and start again`);
    }
  }
  rmSync(pidFile, { force: true });
  return { kind: 'stopped', pid };
}

/** The pid on the file's first line, or null when there is no (readable) file. */
function readPid(pidFile: string): number | null {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.split('\n', 1)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Whether `pid` is a live postgres on `dataDir`; pids are reused, so the file alone proves nothing. */
function isPostmasterOf(pid: number, dataDir: string, pidFile: string): boolean {
  if (!isAlive(pid)) return false;
  const argv = commandLine(pid);
  if (argv) {
    const flag = argv.indexOf('-D');
    const dir = flag < 0 ? undefined : argv[flag + 1];
    return /(^|\/)postgres$/.test(argv[0] ?? '') && dir !== undefined && resolve(dir) === resolve(dataDir);
  }
  // Without /proc: the data directory the postmaster wrote on its second line.
  const written = readFileSync(pidFile, 'utf8').split('\n')[1];
  return written !== undefined && resolve(written) === resolve(dataDir);
}

/** The process's arguments (Linux /proc), or null where there is no /proc. */
function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/** Alive and not a zombie: an orphan's zombie lingers until its new parent reaps it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!existsSync('/proc/self/stat')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false; // gone since the signal
  }
}

async function signalAndWait(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw new Error(`Cannot stop the PostgreSQL left running (pid ${pid}): ${(err as Error).message}`);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}
