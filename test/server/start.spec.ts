import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationDocument, PlansDocument, ViewerDocument } from '../generated/graphql';
import { freePort } from '../helpers/free-port';
import { GraphQLClient } from '../helpers/graphql-client';
import { processTree } from '../helpers/process-tree';
import { startServerProcess as start } from '../helpers/server-process';

/** The primary and its workers: node processes of the tree (the embedded PostgreSQL's processes are its children too). */
function nodeProcesses(primary: number): number[] {
  return processTree(primary).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath;
    } catch {
      return false; // ended while we looked
    }
  });
}

describe('npm start on a fresh machine', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meterly-start-'));
  // As root, PostgreSQL runs as a 'postgres' user that must reach the data directory.
  chmodSync(dataDir, 0o755);
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const { DATABASE_URL: _ignored, ADMIN_API_KEY: _none, ...rest } = process.env;
    env = {
      ...rest,
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      // As on a 2-core machine: the primary and two workers sharing the port.
      WORKERS: '2',
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the embedded database, loads demo data, prints a key once, and stops cleanly', async () => {
    const first = await start(env);
    const key = /Platform admin API key \(shown once, store it now\): (\S+)/.exec(first.output())?.[1];
    const demoId = /Demo organization: (\S+)/.exec(first.output())?.[1];
    expect(key).toBeDefined();
    expect(demoId).toBeDefined();
    const client = new GraphQLClient(first.url, key);
    expect((await client.data(ViewerDocument)).viewer.role).toBe('PLATFORM_ADMIN');
    const { organization } = await client.data(OrganizationDocument, { id: demoId! });
    expect(organization?.teams.map((team) => team.key)).toEqual(['engineering', 'marketing', 'sales']);
    const plans = (await client.data(PlansDocument)).plans.length;
    const running = nodeProcesses(first.child.pid!);
    const stopped = first.stop();
    expect(running).toHaveLength(3);
    expect(await stopped).toBe(0);
    // No worker outlives the primary.
    expect(running.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);

    // Second start on the same data: nothing printed again, the key still works, no second demo load.
    const second = await start(env);
    try {
      expect(second.output()).not.toContain('Platform admin API key');
      expect(second.output()).not.toContain('Demo organization');
      expect((await new GraphQLClient(second.url, key).data(PlansDocument)).plans.length).toBe(plans);

      // A worker that dies is replaced, and the API keeps answering.
      const [, victim] = nodeProcesses(second.child.pid!);
      process.kill(victim!, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      let now = nodeProcesses(second.child.pid!);
      while ((now.includes(victim!) || now.length < 3) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        now = nodeProcesses(second.child.pid!);
      }
      expect(now).toHaveLength(3);
      expect(now).not.toContain(victim);
      expect((await new GraphQLClient(second.url, key).data(PlansDocument)).plans.length).toBe(plans);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);
});
