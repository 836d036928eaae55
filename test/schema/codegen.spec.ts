import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('test/generated/graphql.ts', () => {
  it('is what `npm run codegen` makes from schema/ and test/operations/', () => {
    const root = join(__dirname, '..', '..');
    // The codegen CLI is ESM-only, so it runs in its own process; --check writes nothing and fails on a difference.
    const run = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'graphql-codegen'), '--config', 'codegen.yml', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect({ status: run.status, output: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ status: 0, output: '' });
  }, 60_000);
});
