import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearStalePostmaster } from '../postmaster-pid';

/** A long-lived process whose command line reads like a postmaster: `…/postgres … -D <dataDir>`. */
function fakePostmaster(dir: string, dataDir: string): Promise<ChildProcess> {
  const program = join(dir, 'postgres');
  symlinkSync(process.execPath, program);
  const child = spawn(program, ['-e', 'setInterval(() => {}, 1000); console.log("up")', '--', '-D', dataDir], { stdio: 'pipe' });
  return new Promise((resolve) => child.stdout.once('data', () => resolve(child)));
}

describe('clearStalePostmaster', () => {
  let dir: string;
  let dataDir: string;
  let pidFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meterly-pidfile-'));
    dataDir = join(dir, 'pg');
    pidFile = join(dataDir, 'postmaster.pid');
    mkdirSync(dataDir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writePidFile = (pid: number, ofDir = dataDir) => writeFileSync(pidFile, `${pid}\n${ofDir}\n1700000000\n54329\n`);

  it('does nothing without a pid file', async () => {
    expect(await clearStalePostmaster(dataDir)).toEqual({ kind: 'none' });
  });

  it('removes the pid file of a process that is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writePidFile(gone.pid!);
    expect(await clearStalePostmaster(dataDir)).toEqual({ kind: 'removed-pid-file', pid: gone.pid });
    expect(existsSync(pidFile)).toBe(false);
  });

  it('removes the pid file, and signals nothing, when its pid now belongs to another program', async () => {
    writePidFile(process.pid);
    expect(await clearStalePostmaster(dataDir)).toEqual({ kind: 'removed-pid-file', pid: process.pid });
    expect(existsSync(pidFile)).toBe(false);
  });

  it('leaves a postgres of another data directory alone', async () => {
    const other = await fakePostmaster(dir, join(dir, 'elsewhere'));
    try {
      writePidFile(other.pid!);
      expect(await clearStalePostmaster(dataDir)).toEqual({ kind: 'removed-pid-file', pid: other.pid });
      expect(other.exitCode).toBeNull();
      expect(other.signalCode).toBeNull();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('stops a postgres still running on the data directory with a fast shutdown (SIGINT)', async () => {
    const stale = await fakePostmaster(dir, dataDir);
    const exited = new Promise((resolve) => stale.once('exit', (_code, signal) => resolve(signal)));
    writePidFile(stale.pid!);
    expect(await clearStalePostmaster(dataDir)).toEqual({ kind: 'stopped', pid: stale.pid });
    expect(await exited).toBe('SIGINT');
    expect(existsSync(pidFile)).toBe(false);
  });
});
