import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationDocument, PlansDocument, ViewerDocument } from '../generated/graphql';
import { freePort } from '../helpers/free-port';
import { GraphQLClient } from '../helpers/graphql-client';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  url: string;
}

/** `npm start` as a user runs it (built by `npm test` first): waits for the printed URL. */
function start(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s:\n${text}`)), 60_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const url = /Meterly GraphQL: (\S+)/.exec(text)?.[1];
      if (url && text.includes('\n\n', text.indexOf('Meterly GraphQL'))) {
        clearTimeout(timer);
        resolve({ child, output: () => text, url });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${text}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start on a fresh machine', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meterly-start-'));
  // As root, PostgreSQL runs as a 'postgres' user that must reach the data directory.
  chmodSync(dataDir, 0o755);
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm test`, which builds first');
    const { DATABASE_URL: _ignored, ADMIN_API_KEY: _none, ...rest } = process.env;
    env = { ...rest, DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'warn' };
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
    expect(await stop(first.child)).toBe(0);

    // Second start on the same data: nothing printed again, the key still works, no second demo load.
    const second = await start(env);
    try {
      expect(second.output()).not.toContain('Platform admin API key');
      expect(second.output()).not.toContain('Demo organization');
      expect((await new GraphQLClient(second.url, key).data(PlansDocument)).plans.length).toBe(plans);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 120_000);
});
