import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';
import { createTestDatabase, type TestDatabase } from './test-database';

export const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

/** The built server (`npm start` without the build), as a separate process; resolves once it prints its URL. */
export function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm test`, which builds first');
  // One server process per node unless a test asks for cluster workers.
  const child = spawn(process.execPath, [MAIN], { env: { WORKERS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s:\n${text}`)), 60_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /Meterly GraphQL: (\S+)\s+\(graphql-ws: (\S+)\)/.exec(text);
      if (match && text.includes('\n\n', text.indexOf('Meterly GraphQL'))) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          wsUrl: match[2]!,
          output: () => text,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${text}`)));
  });
}

/** Two server processes sharing one fresh database, as the nodes of one deployment: for what must cross processes. */
export async function startTwoNodes(adminKey: string): Promise<{ database: TestDatabase; nodes: [ServerProcess, ServerProcess] }> {
  const database = await createTestDatabase();
  const env = async (): Promise<NodeJS.ProcessEnv> => ({
    ...process.env,
    DATABASE_URL: database.url,
    ADMIN_API_KEY: adminKey,
    PORT: String(await freePort()),
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
  });
  const one = await startServerProcess(await env());
  const two = await startServerProcess(await env());
  return { database, nodes: [one, two] };
}
