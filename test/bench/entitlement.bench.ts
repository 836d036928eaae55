import { createCatalog, gql, percentile, post, startServerProcess, type BenchDatabase, type BenchResult } from './harness';

const CLIENTS = 4;
/** Alternating rounds, so background work on the shared cores lands on both series rather than deciding their ratio. */
const ROUNDS = 5;
const FEATURES = ['tokens', 'sso', 'concurrent_requests', 'managed_bedrock'];
const CHECK = `query($id: ID!, $feature: String!) { entitlement(organizationId: $id, feature: $feature) {
  feature hasAccess reason config metric used limit remaining unlimited } }`;
const VIEWER = `query { viewer { role } }`;

interface Series {
  samples: number[];
  seconds: number;
}

/** `count` requests from 4 keep-alive clients, each body taken in turn from `bodies`. */
async function drive(url: string, bodies: string[], count: number): Promise<Series> {
  const samples: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) {
        const body = bodies[next++ % bodies.length]!;
        const t0 = process.hrtime.bigint();
        const json = JSON.parse(await post(url, body)) as { errors?: unknown };
        if (json.errors) throw new Error(JSON.stringify(json.errors));
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { samples, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * The check a platform's product makes before it serves a request,
 * `entitlement(organizationId, feature)` over HTTP across `organizations`
 * organisations, against the cheapest authenticated query, `viewer`, in the
 * same run: the figure is what the entitlement costs beyond HTTP and GraphQL.
 */
export async function entitlementBenchmark(db: BenchDatabase, organizations: number, checks: number): Promise<BenchResult> {
  const server = await startServerProcess(db.url);
  try {
    await createCatalog(server.url);
    await gql(
      server.url,
      `mutation { createPlan(input: { code: "bench_features", name: "Bench features", currency: "USD", basePrice: "49",
        charges: [{ metric: "tokens", model: PER_UNIT, unitPrice: "0.00001", limit: "1000000", hardLimit: true }],
        features: [{ feature: "sso" }, { feature: "concurrent_requests", config: { limit: 20 } }] }) { id } }`,
    );
    const ids: string[] = [];
    for (let i = 0; i < organizations; i++) {
      const res = await gql<{ createOrganization: { id: string } }>(
        server.url,
        `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
        { input: { name: `entitled-${i}`, planCode: 'bench_features' } },
      );
      ids.push(res.createOrganization.id);
    }
    // Spread the organisations over the bodies so that consecutive checks hit different ones.
    const checkBodies = ids.flatMap((id, i) => [
      JSON.stringify({ query: CHECK, variables: { id, feature: FEATURES[i % FEATURES.length] } }),
    ]);
    const viewerBodies = [JSON.stringify({ query: VIEWER })];

    // Fills every organisation's entry once and lets V8 optimise both paths.
    await drive(server.url, checkBodies, Math.max(organizations, checks / 2));
    await drive(server.url, viewerBodies, checks / 2);

    const checked: Series = { samples: [], seconds: 0 };
    const viewed: Series = { samples: [], seconds: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [series, bodies] of [
        [checked, checkBodies],
        [viewed, viewerBodies],
      ] as const) {
        const { samples, seconds } = await drive(server.url, bodies, checks / ROUNDS);
        series.samples.push(...samples);
        series.seconds += seconds;
      }
    }
    checked.samples.sort((a, b) => a - b);
    viewed.samples.sort((a, b) => a - b);
    const p99 = percentile(checked.samples, 99);
    const viewerP99 = percentile(viewed.samples, 99);
    const rate = checked.samples.length / checked.seconds;
    const ratio = p99 / viewerP99;
    return {
      name: `entitlement check (entitlement(organizationId, feature) over HTTP; ${checks.toLocaleString('en')} checks from ${CLIENTS} clients)`,
      figure: `p50 ${percentile(checked.samples, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ${Math.round(rate).toLocaleString('en')} checks/s`,
      baseline: `viewer p50 ${percentile(viewed.samples, 50).toFixed(2)} ms, p99 ${viewerP99.toFixed(2)} ms, ${Math.round(viewed.samples.length / viewed.seconds).toLocaleString('en')} queries/s`,
      ratio: `${ratio.toFixed(2)} (p99 entitlement / viewer)`,
      dataSize: `${organizations.toLocaleString('en')} organisations; features ${FEATURES.join(', ')} in turn`,
      goal: 'p99 ≤ 2 ms, ≥ 10,000 checks/s, p99 ≤ 1.5 × viewer',
      met: p99 <= 2 && rate >= 10_000 && ratio <= 1.5,
    };
  } finally {
    await server.stop();
  }
}
