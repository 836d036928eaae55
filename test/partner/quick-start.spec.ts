import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kind, parse, print, visit, type DefinitionNode } from 'graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** The README's codegen.ts, as a partner would copy it. */
function readmeCodegenConfig(): string {
  const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const config = blocks.find((block) => block.includes('CodegenConfig'));
  if (!config) throw new Error('the README has no codegen.ts');
  return config;
}

/** Operations of test/operations/ by name, with the fragments they spread: what the test sends, from one place. */
function operations(names: string[]): string {
  const dir = join(ROOT, 'test', 'operations');
  const all = parse(
    readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n'),
  );
  const named = new Map<string, DefinitionNode>();
  for (const d of all.definitions) {
    if ((d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) && d.name) named.set(d.name.value, d);
  }
  const picked = new Set<string>();
  const pick = (name: string) => {
    if (picked.has(name)) return;
    const definition = named.get(name);
    if (!definition) throw new Error(`no operation or fragment ${name} in test/operations`);
    picked.add(name);
    visit(definition, { FragmentSpread: (spread) => pick(spread.name.value) });
  };
  names.forEach(pick);
  return [...picked].map((name) => print(named.get(name)!)).join('\n\n');
}

/** A partner's program: typed calls with the generated documents, over plain fetch. */
const MAIN = `
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { InvoicesDocument, MetricsDocument, RecordUsageDocument, ViewerDocument, type InvoiceStatus } from './generated/graphql';

async function request<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
  const res = await fetch(process.env.METERLY_URL ?? '', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: \`Bearer \${process.env.METERLY_API_KEY}\` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Never called: each line must fail to compile, or tsc fails on its unused @ts-expect-error. */
export function mistakes(organizationId: string): void {
  // @ts-expect-error first is an Int
  void request(InvoicesDocument, { organizationId, first: '100' });
  // @ts-expect-error no such status
  const status: InvoiceStatus = 'SETTLED';
  // @ts-expect-error organization may be null
  void request(ViewerDocument, {}).then(({ viewer }) => viewer.organization.name);
  void status;
}

async function main(): Promise<void> {
  const organizationId = process.env.ORGANIZATION_ID ?? '';
  const metric = process.env.METRIC ?? '';
  const { viewer } = await request(ViewerDocument, {});
  const { metrics } = await request(MetricsDocument, {});
  const { recordUsage } = await request(RecordUsageDocument, {
    input: { organizationId, events: [{ id: 'partner-1', metric, quantity: '2.5' }] },
  });
  const { invoices } = await request(InvoicesDocument, { organizationId, first: 100 });
  const answer = {
    role: viewer.role,
    organization: viewer.organization?.name ?? null,
    metrics: metrics.some((m) => m.code === metric),
    accepted: recordUsage.accepted,
    invoices: invoices.totalCount,
  };
  console.log(JSON.stringify(answer));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'es2022',
    module: 'commonjs',
    types: ['node'],
    skipLibCheck: true,
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
};

describe('the partner quick start', () => {
  let t: TestServer;
  let project: string;

  beforeAll(async () => {
    t = await startTestServer();
    // A project of its own outside the repository, with the packages the quick start installs (ours, linked: no network).
    project = mkdtempSync(join(tmpdir(), 'meterly-partner-'));
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    rmSync(project, { recursive: true, force: true });
    await t.close();
  });

  // Three node processes (codegen, tsc, the program): a few seconds alone, more on a busy machine.
  it("generates a client from the live server with the README's codegen.ts, compiles it with tsc --strict and runs it", async () => {
    const { metric, plan } = await createCatalog(t.admin);
    const { organization } = await createTenant(t.admin, plan.code);
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'codegen.ts'), readmeCodegenConfig());
    writeFileSync(join(project, 'src', 'operations.graphql'), operations(['Viewer', 'Metrics', 'RecordUsage', 'Invoices']));
    writeFileSync(join(project, 'src', 'main.ts'), MAIN);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    const env = { ...process.env, METERLY_URL: t.server.url, METERLY_API_KEY: t.adminKey };

    await run(process.execPath, [join(project, 'node_modules', '@graphql-codegen', 'cli', 'cjs', 'bin.js')], { cwd: project, env });
    const generated = readFileSync(join(project, 'src', 'generated', 'graphql.ts'), 'utf8');
    expect(generated).toContain('export const InvoicesDocument');
    expect(generated).toContain('export type InvoiceStatus');

    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--strict'], { cwd: project });

    const { stdout } = await run(process.execPath, [join(project, 'dist', 'main.js')], {
      cwd: project,
      env: { ...env, ORGANIZATION_ID: organization.id, METRIC: metric.code },
    });
    expect(JSON.parse(stdout)).toEqual({ role: 'PLATFORM_ADMIN', organization: null, metrics: true, accepted: 1, invoices: 0 });
  }, 120_000);
});
