import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('the generated operations (test/generated/graphql.ts and web/src/generated/graphql.ts)', () => {
  it('are what `npm run codegen` makes from schema/, test/operations/ and web/src/operations/', () => {
    // The codegen CLI is ESM-only, so it runs in its own process; --check writes nothing and fails on a difference.
    const run = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'graphql-codegen'), '--config', 'codegen.yml', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect({ status: run.status, output: run.status === 0 ? '' : run.stdout + run.stderr }).toEqual({ status: 0, output: '' });
  }, 60_000);

  it('include the dashboard: codegen.yml generates both outputs, so --check covers web/ too', () => {
    const config = readFileSync(join(root, 'codegen.yml'), 'utf8');
    expect(config).toMatch(/^ {2}test\/generated\/graphql\.ts:\n {4}documents: test\/operations\/\*\*\/\*\.graphql$/m);
    expect(config).toMatch(/^ {2}web\/src\/generated\/graphql\.ts:\n {4}documents: web\/src\/operations\/\*\*\/\*\.graphql$/m);
  });
});
