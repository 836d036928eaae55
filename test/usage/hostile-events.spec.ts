import Decimal from 'decimal.js';
import fc from 'fast-check';
import { print } from 'graphql';
import { CreateOrganizationDocument, GrantCreditsDocument, RecordUsageDocument, type RecordUsageMutation } from '../generated/graphql';
import { at, CLOCK, metricUsage, planWithOrganization, usage } from '../helpers/usage-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

type Payload = RecordUsageMutation['recordUsage'];

/** A value written into the body as a bare JSON number, e.g. 1e400, which JSON.stringify cannot write. */
const RAW_NUMBER = '\u0001raw-number:';
const rawNumber = (text: string) => `${RAW_NUMBER}${text}`;

const REASONS = new Set(['INVALID_ID', 'UNKNOWN_METRIC', 'INVALID_QUANTITY', 'INVALID_DIMENSIONS', 'INVALID_KEY']);

describe('recordUsage: whatever one event holds, it is rejected alone and the rest is committed', () => {
  let t: TestServer;
  let firstOrg: string;

  /** Posts a batch as a producer's JSON, bare numbers included; the request itself must succeed. */
  async function post(organizationId: string, events: unknown[]): Promise<Payload> {
    const body = JSON.stringify({ query: print(RecordUsageDocument), variables: { input: { organizationId, events } } }).replace(
      // JSON.stringify writes the marker's \u0001 as an escape; the number follows it up to the closing quote.
      /"\\u0001raw-number:([^"]*)"/g,
      '$1',
    );
    const res = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body,
    });
    const json = (await res.json()) as { data?: { recordUsage: Payload }; errors?: unknown[] };
    if (res.status !== 200 || json.errors || !json.data) throw new Error(`request failed (${res.status}): ${JSON.stringify(json.errors)}`);
    return json.data.recordUsage;
  }

  async function stored(organizationId: string): Promise<{ ids: string[]; count: number; sum: string }> {
    const [row] = (await t.db.query(
      `SELECT count(*)::int AS count, coalesce(sum(quantity), 0)::text AS sum FROM usage_events WHERE organization_id = $1`,
      [organizationId],
    )) as Array<{ count: number; sum: string }>;
    const keys = (await t.db.query(`SELECT event_id FROM usage_event_keys WHERE organization_id = $1`, [organizationId])) as Array<{
      event_id: string;
    }>;
    return { ids: keys.map((k) => k.event_id).sort(), count: row!.count, sum: row!.sum };
  }

  beforeAll(async () => {
    t = await startTestServer();
    firstOrg = await planWithOrganization(t.admin, [{ code: 'calls', unit: 'call', aggregation: 'SUM' }], {
      code: 'hostile',
      name: 'Hostile',
      currency: 'USD',
      basePrice: '0',
      charges: [{ metric: 'calls', model: 'PER_UNIT', unitPrice: '0.01' }],
    });
  });
  afterAll(() => t.close());

  it('rejects each hostile event of the issue on its own, with a reason, and commits the valid ones', async () => {
    const ok = (id: string, quantity = '1') => ({ id, metric: 'calls', quantity, timestamp: at(1) });
    const res = await post(firstOrg, [
      ok('ok-1', '5'),
      { ...ok('nul'), id: 'a\u0000b' },
      { ...ok('lone'), id: 'x\uD800' },
      { ...ok('dim-nul'), dimensions: { model: 'gpt\u0000' } },
      { ...ok('dim-lone'), dimensions: { model: '\uDC00' } },
      { ...ok('team-nul'), team: 't\u0000' },
      { ...ok('project-lone'), project: '\uD800' },
      { ...ok('user-nul'), user: '\u0000' },
      ok('huge', '1e200000'),
      ok('huger', '1e16000000'),
      ok('tiny', '1e-16000000'),
      { ...ok('dim-infinite'), dimensions: { tokens: rawNumber('1e400') } },
      { ...ok('long-metric'), metric: 'm'.repeat(100_000) },
      // Two ids that PostgreSQL's text would both store as "dup\uFFFD".
      { ...ok('twin-1'), id: 'dup\uD800' },
      { ...ok('twin-2'), id: 'dup\uD801' },
      ok('ok-2', '13'),
    ]);
    expect(res.accepted).toBe(2);
    expect(res.duplicates).toBe(0);
    expect(res.rejected.map((r) => [r.index, r.code, r.reason])).toEqual([
      [1, 'BAD_USER_INPUT', 'INVALID_ID'],
      [2, 'BAD_USER_INPUT', 'INVALID_ID'],
      [3, 'BAD_USER_INPUT', 'INVALID_DIMENSIONS'],
      [4, 'BAD_USER_INPUT', 'INVALID_DIMENSIONS'],
      [5, 'BAD_USER_INPUT', 'INVALID_KEY'],
      [6, 'BAD_USER_INPUT', 'INVALID_KEY'],
      [7, 'BAD_USER_INPUT', 'INVALID_KEY'],
      [8, 'BAD_USER_INPUT', 'INVALID_QUANTITY'],
      [9, 'BAD_USER_INPUT', 'INVALID_QUANTITY'],
      [10, 'BAD_USER_INPUT', 'INVALID_QUANTITY'],
      [11, 'BAD_USER_INPUT', 'INVALID_DIMENSIONS'],
      [12, 'BAD_USER_INPUT', 'UNKNOWN_METRIC'],
      [13, 'BAD_USER_INPUT', 'INVALID_ID'],
      [14, 'BAD_USER_INPUT', 'INVALID_ID'],
    ]);
    // No message sends a large input back.
    for (const r of res.rejected) expect(r.message.length).toBeLessThan(200);
    expect(await stored(firstOrg)).toEqual({ ids: ['ok-1', 'ok-2'], count: 2, sum: '18' });
    expect((await metricUsage(t.admin, firstOrg, 'calls')).used).toBe('18');
  });

  it('rejects alone a quantity no double can hold: a bare JSON number such as 1e400', async () => {
    const res = await post(firstOrg, [
      { id: 'inf', metric: 'calls', quantity: rawNumber('1e400'), timestamp: at(1) },
      { id: 'fine', metric: 'calls', quantity: '2', timestamp: at(1) },
    ]);
    expect(res).toMatchObject({ accepted: 1, rejected: [{ index: 0, id: 'inf', code: 'BAD_USER_INPUT', reason: 'INVALID_QUANTITY' }] });
  });

  it('rejects alone a quantity that is not a number at all: true, an object, an array', async () => {
    const res = await post(firstOrg, [
      { id: 'q-true', metric: 'calls', quantity: true, timestamp: at(1) },
      { id: 'q-object', metric: 'calls', quantity: { amount: 3 }, timestamp: at(1) },
      { id: 'q-array', metric: 'calls', quantity: [1, 2], timestamp: at(1) },
      { id: 'q-fine', metric: 'calls', quantity: '4', timestamp: at(1) },
    ]);
    expect(res.accepted).toBe(1);
    expect(res.rejected.map((r) => [r.id, r.reason])).toEqual([
      ['q-true', 'INVALID_QUANTITY'],
      ['q-object', 'INVALID_QUANTITY'],
      ['q-array', 'INVALID_QUANTITY'],
    ]);
  });

  it('rejects alone a timestamp that is no timestamp; any other operation refuses such a DateTime as a bad input', async () => {
    const res = await post(firstOrg, [
      { id: 't-text', metric: 'calls', timestamp: 'yesterday' },
      { id: 't-object', metric: 'calls', timestamp: { at: 1 } },
      { id: 't-number', metric: 'calls', timestamp: rawNumber('1e400') },
      { id: 't-fine', metric: 'calls', timestamp: at(1) },
    ]);
    expect(res.accepted).toBe(1);
    expect(res.rejected.map((r) => [r.id, r.reason])).toEqual([
      ['t-text', 'INVALID_TIMESTAMP'],
      ['t-object', 'INVALID_TIMESTAMP'],
      ['t-number', 'INVALID_TIMESTAMP'],
    ]);
    const refused = await t.admin.request(GrantCreditsDocument, {
      input: { organizationId: firstOrg, amount: '5', expiresAt: 'next tuesday' },
    });
    expect(refused.status).toBe(200);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ARGUMENT' });
    expect(await t.db.query('SELECT id FROM credit_grants WHERE organization_id = $1', [firstOrg])).toEqual([]);
  });

  describe('property: batches mixing valid and hostile events', () => {
    /** Any UTF-16 code unit: NUL, lone surrogates and halves of pairs included. */
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const hostileText = fc.oneof(
      fc.string({ unit: codeUnit, maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom(
        '',
        '\u0000',
        '\uD800',
        'a\uDC00',
        '\uDBFF\uDFFF',
        ' ',
        'x'.repeat(256),
        'y'.repeat(20_000),
        '__proto__',
        'constructor',
      ),
    );
    const validQuantity = fc
      .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 999 }))
      .map(([units, thousandths]) => `${units}.${String(thousandths).padStart(3, '0')}`);
    const hostileQuantity = fc.oneof(
      hostileText,
      // Numeric texts with any exponent, "1e200000" and "1e-16000000" among them.
      fc
        .tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: -20_000_000, max: 20_000_000 }))
        .map(([m, e]) => `${m}e${e}`),
      fc.tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.nat({ max: 40 })).map(([n, places]) => {
        const digits = (n < 0n ? -n : n).toString().padStart(places + 1, '0');
        return `${n < 0n ? '-' : ''}${digits.slice(0, digits.length - places)}${places ? '.' : ''}${digits.slice(digits.length - places)}`;
      }),
      // JSON numbers, subnormals and 1.7e308 included; beyond a double, a bare 1e400.
      fc.double({ noNaN: true }).map((d) => (Number.isFinite(d) ? d : rawNumber(d > 0 ? '1e400' : '-1e400'))),
      fc.constant(null),
    );
    const validKey = fc.constantFrom('team_a', 'team-b', 'équipe', null);
    const validDimensions = fc.option(
      fc.dictionary(fc.constantFrom('model', 'region', 'tier'), fc.oneof(fc.constantFrom('gpt-4', 'eu'), fc.integer(), fc.boolean())),
      {
        nil: null,
      },
    );
    const hostileDimensions = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(
        fc.oneof(fc.constantFrom('model', '__proto__', 'constructor', 'a b', 'k'.repeat(70)), hostileText),
        fc.oneof(
          hostileText,
          fc.double().map((d) => (Number.isFinite(d) ? d : rawNumber('1e400'))),
          fc.boolean(),
          fc.constant(null),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        { maxKeys: 25 },
      ),
    );
    // A small pool of ids makes duplicates in a batch; the twins differ only by a lone surrogate.
    const validId = fc.constantFrom('e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'e-7', 'e-8', 'ünï-☃', '😀');
    const hostileId = fc.oneof(hostileText, fc.constantFrom('twin\uD800', 'twin\uD801', 'twin\uDC00', 'e-1\u0000'));

    interface Generated {
      valid: boolean;
      event: Record<string, unknown>;
    }
    const validEvent: fc.Arbitrary<Generated> = fc
      .record({
        id: validId,
        quantity: validQuantity,
        minute: fc.integer({ min: 0, max: 300 }),
        team: validKey,
        user: validKey,
        dimensions: validDimensions,
      })
      .map(({ minute, ...rest }) => ({ valid: true, event: { ...rest, metric: 'calls', timestamp: at(minute) } }));
    const hostileEvent: fc.Arbitrary<Generated> = fc
      .record({
        id: fc.oneof(validId, hostileId),
        metric: fc.oneof({ weight: 3, arbitrary: fc.constant('calls') }, hostileText),
        quantity: fc.oneof(validQuantity, hostileQuantity),
        team: fc.oneof(validKey, hostileText),
        project: fc.oneof(validKey, hostileText),
        user: fc.oneof(validKey, hostileText),
        dimensions: fc.oneof(validDimensions, hostileDimensions),
      })
      .map((event) => ({ valid: false, event: { ...event, timestamp: at(2) } }));
    const batch = fc.array(fc.oneof(validEvent, hostileEvent), { minLength: 1, maxLength: 50 });

    /** The quantity the server reads, for an event it accepted. */
    function quantityOf(value: unknown): Decimal {
      if (value === null || value === undefined) return new Decimal(1);
      if (typeof value === 'number') return new Decimal(String(value));
      return new Decimal((value as string).trim());
    }

    it('never fails the request, accounts for every event, and stores exactly the accepted ones', async () => {
      await fc.assert(
        fc.asyncProperty(batch, async (generated) => {
          const { createOrganization } = await t.admin.data(CreateOrganizationDocument, {
            input: { name: 'hostile run', planCode: 'hostile', testClock: CLOCK },
          });
          const org = createOrganization.id;
          const events = generated.map((g) => g.event);
          const res = await post(org, events);
          expect(res.accepted + res.duplicates + res.rejected.length).toBe(events.length);

          const rejected = new Set(res.rejected.map((r) => r.index));
          for (const r of res.rejected) {
            expect(r.code).toBe('BAD_USER_INPUT');
            expect(REASONS).toContain(r.reason);
            expect(r.message.length).toBeLessThan(200);
          }
          // What the server must have done with the events it did not reject: the first of each id counts.
          const accepted = new Map<string, Decimal>();
          let duplicates = 0;
          generated.forEach((g, index) => {
            if (rejected.has(index)) {
              expect(g.valid).toBe(false);
              return;
            }
            const id = g.event.id as string;
            if (accepted.has(id)) duplicates += 1;
            else accepted.set(id, quantityOf(g.event.quantity));
          });
          expect({ accepted: res.accepted, duplicates: res.duplicates }).toEqual({ accepted: accepted.size, duplicates });

          const sum = [...accepted.values()].reduce((a, b) => a.plus(b), new Decimal(0));
          const db = await stored(org);
          expect(db.ids).toEqual([...accepted.keys()].sort());
          expect(db.count).toBe(accepted.size);
          expect(new Decimal(db.sum).eq(sum)).toBe(true);

          const report = await usage(t.admin, org);
          const calls = report.metrics.find((m) => m.metric === 'calls');
          expect(new Decimal(calls?.used ?? '0').eq(sum)).toBe(true);
          expect(new Decimal(report.totalCost.amount).eq(sum.times('0.01').toDecimalPlaces(2, Decimal.ROUND_HALF_UP))).toBe(true);

          // The same batch again: nothing new, each accepted event now a duplicate, the same rejections.
          const again = await post(org, events);
          expect(again).toEqual({ accepted: 0, duplicates: res.accepted + res.duplicates, rejected: res.rejected });
          expect((await stored(org)).count).toBe(accepted.size);
        }),
        { numRuns: 30 },
      );
    });
  });
});
