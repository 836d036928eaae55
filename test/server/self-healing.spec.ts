import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../helpers/free-port';
import { GraphQLClient } from '../helpers/graphql-client';
import { processTree } from '../helpers/process-tree';
import { MAIN, startServerProcess as start, type ServerProcess } from '../helpers/server-process';
import { at, metricUsage, planWithOrganization, record } from '../helpers/usage-fixtures';

const ADMIN_KEY = 'mtr_self-healing-admin-key-000000000000';
const BLOCKED_MS = 1000;

/** The node processes of a server's tree: the primary and its workers (the PostgreSQL processes are children too). */
function nodeProcesses(primary: number): number[] {
  return processTree(primary).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath;
    } catch {
      return false;
    }
  });
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Health {
  status: string;
  processes?: { workersReplaced: number; lastWorkerReplacement: { reason: string } | null; databaseRestarts: number };
}

describe('a server that heals itself', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meterly-heal-'));
  // As root, PostgreSQL runs as a 'postgres' user that must reach the data directory.
  chmodSync(dataDir, 0o755);
  const postmasterPid = () => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess | undefined;
  let org: string;
  let sent = 0;

  const admin = () => new GraphQLClient(server!.url, ADMIN_KEY);
  const health = async (): Promise<{ code: number; body: Health }> => {
    const res = await fetch(server!.url.replace(/\/graphql$/, '/healthz'), { signal: AbortSignal.timeout(5000) });
    return { code: res.status, body: (await res.json()) as Health };
  };
  /** A batch of fresh events of quantity 1 each; `sent` counts them all, whether acknowledged or not. */
  const batch = (size: number) =>
    Array.from({ length: size }, () => ({ id: `heal-${sent++}`, metric: 'heal_calls', quantity: '1', timestamp: at(5) }));
  const used = async () => Number((await metricUsage(admin(), org, 'heal_calls')).used);

  beforeAll(async () => {
    const { DATABASE_URL: _ignored, ...rest } = process.env;
    env = {
      ...rest,
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      ADMIN_API_KEY: ADMIN_KEY,
      DEMO_DATA: 'false',
      LOG_LEVEL: 'fatal',
      WORKERS: '2',
      WORKER_BLOCKED_MS: String(BLOCKED_MS),
    };
    server = await start(env);
    org = await planWithOrganization(admin(), [{ code: 'heal_calls', unit: 'call', aggregation: 'SUM' }], {
      code: 'heal',
      name: 'Heal',
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric: 'heal_calls', included: '0', model: 'PER_UNIT', unitPrice: '0.01' }],
    });
    expect((await record(admin(), org, batch(50))).accepted).toBe(50);
  }, 90_000);

  afterAll(async () => {
    // Whatever a failed test left: the server's tree, and a PostgreSQL orphaned by a kill.
    for (const pid of server ? processTree(server.child.pid!) : []) process.kill(pid, 'SIGKILL');
    try {
      process.kill(postmasterPid(), 'SIGKILL');
    } catch {
      // none left
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts an embedded PostgreSQL killed under load by itself; the workers reconnect without a restart and nothing acknowledged is lost', async () => {
    const workers = nodeProcesses(server!.child.pid!).slice(1);
    expect(workers).toHaveLength(2);
    let acknowledged = 0;
    const failed: ReturnType<typeof batch>[] = [];
    let sending = true;
    const producer = (async () => {
      while (sending) {
        const events = batch(20);
        await record(admin(), org, events).then(
          (result) => (acknowledged += result.accepted),
          () => failed.push(events),
        );
      }
    })();
    await until('some batches acknowledged', 10_000, async () => (acknowledged >= 100 ? true : undefined));

    const killedAt = Date.now();
    process.kill(postmasterPid(), 'SIGKILL');
    const codes: number[] = [];
    await until('health 200 again', 15_000, async () => {
      const { code, body } = await health();
      codes.push(code);
      return code === 200 && body.processes?.databaseRestarts === 1 ? true : undefined;
    });
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(codes).toContain(503);
    // Batches are acknowledged again.
    const before = acknowledged;
    await until('batches acknowledged after the restart', 10_000, async () => (acknowledged >= before + 100 ? true : undefined));
    sending = false;
    await producer;

    // Same workers, each LISTENing again on its three change-bus channels (usage, alerts, API keys).
    expect(nodeProcesses(server!.child.pid!).slice(1)).toEqual(workers);
    const db = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/meterly` });
    await db.connect();
    try {
      await until('6 LISTEN connections', 10_000, async () => {
        const { rows } = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'meterly-listen'");
        return rows[0].n === 2 * 3 ? true : undefined;
      });
    } finally {
      await db.end();
    }

    // Everything acknowledged is there; what failed in flight, sent again, counts exactly once.
    expect(await used()).toBeGreaterThanOrEqual(50 + acknowledged);
    for (const events of failed) await record(admin(), org, events);
    expect(await used()).toBe(sent);
  }, 60_000);

  it('replaces a worker whose event loop stops, and reports it on /healthz', async () => {
    const [, victim, other] = nodeProcesses(server!.child.pid!);
    // A stopped process runs no timer: to the primary it is a worker stuck in a computation.
    process.kill(victim!, 'SIGSTOP');
    await until('the stopped worker replaced', 15_000, async () => {
      const now = nodeProcesses(server!.child.pid!);
      return !now.includes(victim!) && now.length === 3 ? true : undefined;
    });
    expect(alive(other!)).toBe(true);
    const { code, body } = await until('a health answer', 10_000, async () => {
      const answer = await health();
      return answer.body.processes?.workersReplaced === 1 ? answer : undefined;
    });
    expect(code).toBe(200);
    expect(body.processes?.lastWorkerReplacement?.reason).toBe('blocked');
    expect(await used()).toBe(sent);
  }, 30_000);

  it('comes up again after kill -9 of the main process, stopping the PostgreSQL it left running, with all data', async () => {
    const orphan = postmasterPid();
    await server!.kill();
    expect(alive(orphan)).toBe(true);

    server = await start({ ...env, WORKERS: '1' });
    expect(alive(orphan)).toBe(false);
    expect(postmasterPid()).not.toBe(orphan);
    expect(await used()).toBe(sent);
    expect((await record(admin(), org, batch(10))).accepted).toBe(10);
    expect(await used()).toBe(sent);

    const postmaster = postmasterPid();
    expect(await server!.stop()).toBe(0);
    expect(alive(postmaster)).toBe(false);
    server = undefined;
  }, 90_000);
});

describe('npm start when another program holds the embedded PostgreSQL port', () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('exits 1 at once with one line naming the port and EMBEDDED_PG_PORT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meterly-port-'));
    try {
      const { DATABASE_URL: _ignored, ...rest } = process.env;
      const child = spawn(process.execPath, [MAIN], {
        env: { ...rest, DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(port), LOG_LEVEL: 'fatal' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        `Meterly did not start: Port ${port} of the embedded PostgreSQL is taken by another program: stop it, or set EMBEDDED_PG_PORT to a free port`,
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
