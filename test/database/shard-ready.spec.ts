import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/**
 * The rule a sharded PostgreSQL (Citus, tenant tables distributed by organization_id) needs, checked on the
 * live catalogue of the migrated database: a distributed table's primary key and unique indexes hold its
 * distribution column (each is enforced on one shard), and a foreign key between distributed tables joins
 * them on it (both rows live on the same shard). Reference tables are copied to every node, so they may only
 * reference other reference tables; local tables stay on the coordinator and may not reference a distributed
 * one. Every table must be classified below, so a new one fails here until someone decides where it goes.
 */

/** Tenant data, sharded by its organisation: table → distribution column. */
const DISTRIBUTED: Readonly<Record<string, string>> = {
  organizations: 'id', // the tenant itself, colocated with its rows by its own id
  users: 'organization_id',
  teams: 'organization_id',
  projects: 'organization_id',
  plan_subscriptions: 'organization_id',
  plan_changes: 'organization_id',
  invoices: 'organization_id',
  invoice_lines: 'organization_id',
  invoice_items: 'organization_id',
  invoice_counters: 'organization_id',
  credit_grants: 'organization_id',
  credit_applications: 'organization_id',
  alert_rules: 'organization_id',
  alerts: 'organization_id',
  alert_deliveries: 'organization_id',
  usage_events: 'organization_id', // partitioned by month: its partitions count as this parent
  usage_event_keys: 'organization_id',
  usage_rate_windows: 'organization_id',
  usage_rollups: 'organization_id',
  usage_sessions: 'organization_id',
  usage_totals: 'organization_id',
  usage_unique_values: 'organization_id',
  usage_price_totals: 'organization_id',
  usage_daily_peaks: 'organization_id',
  invoice_bank_transfers: 'organization_id',
  feature_overrides: 'organization_id',
  webhook_events: 'organization_id',
  webhook_deliveries: 'organization_id', // with its event; the endpoint it goes to is a reference row
  spend_controls: 'organization_id',
  plan_change_requests: 'organization_id',
  statement_deliveries: 'organization_id',
};

/** Shared by all tenants and replicated to every node, each with why. */
const REFERENCE: Readonly<Record<string, string>> = {
  metrics: 'the catalogue: every plan and every tenant prices the same metrics',
  plans: 'the catalogue: a plan is offered to all tenants, not owned by one',
  plan_charges: "the catalogue: a plan's prices, read with the plan",
  plan_features: "the catalogue: a plan's features, read with the plan",
  api_keys:
    'every request finds its key by hash before it knows the organisation, and platform admin keys belong to ' +
    'no organisation (organization_id null, which a distribution column may not be); few rows, rarely written',
  stripe_events: "webhook idempotency by Stripe's event id, checked before the event's organisation is known",
  webhook_endpoints:
    "the platform's own receivers: events of every organisation go to each (no organisation of its own); few rows, " +
    'read by every statement that records an event',
};

/** Kept on the coordinator only, each with why. */
const LOCAL: Readonly<Record<string, string>> = {
  typeorm_migrations: "TypeORM's record of applied migrations: the schema's, not any tenant's",
  audit_log:
    'platform-wide mutations are audited with no organisation (organization_id null), so the trail cannot be ' +
    'distributed by it as it is; append-only and read by (organization_id, id), it stays where every mutation passes',
  persisted_queries:
    "Apollo's persisted query texts by hash: no tenant's, looked up before any organisation is known, and a cache " +
    'that clients refill (a miss makes them send the text again)',
};

interface Table {
  name: string;
  columns: Map<string, { notNull: boolean }>;
  /** Primary key and unique indexes (constraints or not): name and columns, null for an expression. */
  uniques: Array<{ name: string; columns: Array<string | null> }>;
  foreignKeys: Array<{ name: string; references: string; pairs: Array<[string, string]> }>;
}

/** The public schema's tables as the catalogue has them; partitions are left out (their parent stands for them). */
async function readCatalogue(db: Client): Promise<Map<string, Table>> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  const catalogue = new Map<string, Table>(tables.map(({ name }) => [name, { name, columns: new Map(), uniques: [], foreignKeys: [] }]));
  const table = (name: string): Table | undefined => catalogue.get(name);

  const { rows: columns } = await db.query<{ table: string; column: string; not_null: boolean }>(
    `SELECT c.relname AS table, a.attname AS column, a.attnotnull AS not_null
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  for (const c of columns) table(c.table)?.columns.set(c.column, { notNull: c.not_null });

  const { rows: uniques } = await db.query<{ table: string; name: string; columns: Array<string | null> }>(
    `SELECT t.relname AS table, i.relname AS name,
            array(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0
                   ORDER BY k.ord) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND x.indisunique`,
  );
  for (const u of uniques) table(u.table)?.uniques.push({ name: u.name, columns: u.columns });

  const { rows: foreignKeys } = await db.query<{
    table: string;
    name: string;
    references: string;
    columns: string[];
    referenced: string[];
  }>(
    `SELECT t.relname AS table, k.conname AS name, r.relname AS references,
            array(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS c(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.attnum ORDER BY c.ord) AS columns,
            array(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS c(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = c.attnum ORDER BY c.ord) AS referenced
       FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND k.contype = 'f' AND k.conparentid = 0`,
  );
  for (const f of foreignKeys) {
    const pairs = f.columns.map((column, i): [string, string] => [column, f.referenced[i] ?? '']);
    table(f.table)?.foreignKeys.push({ name: f.name, references: f.references, pairs });
  }
  return catalogue;
}

type Kind = 'distributed' | 'reference' | 'local';

function kindOf(table: string): Kind | undefined {
  if (table in DISTRIBUTED) return 'distributed';
  if (table in REFERENCE) return 'reference';
  if (table in LOCAL) return 'local';
  return undefined;
}

/** Every breach of the rule, one sentence each; empty when the schema can be sharded as classified. */
function breaches(catalogue: Map<string, Table>): string[] {
  const found: string[] = [];
  for (const name of [...Object.keys(DISTRIBUTED), ...Object.keys(REFERENCE), ...Object.keys(LOCAL)]) {
    if (!catalogue.has(name)) found.push(`${name} is classified but is not in the database: drop it from the lists`);
  }
  for (const table of [...catalogue.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const kind = kindOf(table.name);
    if (!kind) {
      found.push(`${table.name} is not classified: add it to DISTRIBUTED, REFERENCE or LOCAL (with why)`);
      continue;
    }
    for (const fk of table.foreignKeys) {
      const target = kindOf(fk.references);
      if (kind !== 'distributed' && target === 'distributed') {
        found.push(`${table.name}.${fk.name}: a ${kind} table may not reference the distributed ${fk.references}`);
      }
      if (kind === 'distributed' && target === 'local') {
        found.push(`${table.name}.${fk.name}: a distributed table may not reference the local ${fk.references}`);
      }
      if (kind === 'distributed' && target === 'distributed') {
        const own = DISTRIBUTED[table.name]!;
        const theirs = DISTRIBUTED[fk.references]!;
        if (!fk.pairs.some(([column, referenced]) => column === own && referenced === theirs)) {
          found.push(`${table.name}.${fk.name} references ${fk.references} without joining ${own} to its ${theirs}`);
        }
      }
    }
    if (kind !== 'distributed') continue;
    const column = DISTRIBUTED[table.name]!;
    const distribution = table.columns.get(column);
    if (!distribution) {
      found.push(`${table.name} has no ${column} column to be distributed by`);
      continue;
    }
    if (!distribution.notNull) found.push(`${table.name}.${column} is nullable: a distribution column may not be null`);
    for (const unique of table.uniques) {
      if (!unique.columns.includes(column)) {
        found.push(`${table.name}: ${unique.name} (${unique.columns.map((c) => c ?? '<expression>').join(', ')}) lacks ${column}`);
      }
    }
  }
  return found;
}

describe('the schema, read from the live catalogue', () => {
  let database: TestDatabase;
  let db: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await database.drop();
  });

  it('classifies every table once: distributed by organisation, reference or local', () => {
    const everywhere = [...Object.keys(DISTRIBUTED), ...Object.keys(REFERENCE), ...Object.keys(LOCAL)];
    expect(everywhere.filter((name, i) => everywhere.indexOf(name) !== i)).toEqual([]);
  });

  it('can be sharded by organization_id: keys hold it, and foreign keys between tenant tables join on it', async () => {
    expect(breaches(await readCatalogue(db))).toEqual([]);
  });

  it('counts a partitioned table by its parent: usage_events is checked, its partitions are not listed', async () => {
    const catalogue = await readCatalogue(db);
    expect(catalogue.get('usage_events')?.uniques.map((u) => u.columns)).toEqual([['organization_id', 'occurred_at', 'event_id']]);
    expect([...catalogue.keys()].filter((name) => name.startsWith('usage_events_'))).toEqual([]);
  });

  it('fails on a new table until it is classified, and on tenant keys and references without organization_id', async () => {
    await db.query('BEGIN');
    try {
      await db.query(`CREATE TABLE invoice_notes (id uuid PRIMARY KEY, invoice_id uuid NOT NULL, body text)`);
      expect(breaches(await readCatalogue(db))).toEqual([
        'invoice_notes is not classified: add it to DISTRIBUTED, REFERENCE or LOCAL (with why)',
      ]);
      await db.query(`ALTER TABLE invoice_lines ADD CONSTRAINT uq_lines_position UNIQUE (invoice_id, position)`);
      await db.query(`ALTER TABLE alerts ADD CONSTRAINT uq_alerts_id UNIQUE (id)`);
      await db.query(`ALTER TABLE alert_deliveries ADD CONSTRAINT fk_delivery_alert FOREIGN KEY (alert_id) REFERENCES alerts (id)`);
      await db.query(`ALTER TABLE plans ADD COLUMN owner uuid REFERENCES organizations (id)`);
      expect(breaches(await readCatalogue(db))).toEqual([
        'alert_deliveries.fk_delivery_alert references alerts without joining organization_id to its organization_id',
        'alerts: uq_alerts_id (id) lacks organization_id',
        'invoice_lines: uq_lines_position (invoice_id, position) lacks organization_id',
        'invoice_notes is not classified: add it to DISTRIBUTED, REFERENCE or LOCAL (with why)',
        'plans.plans_owner_fkey: a reference table may not reference the distributed organizations',
      ]);
    } finally {
      await db.query('ROLLBACK');
    }
  });
});
