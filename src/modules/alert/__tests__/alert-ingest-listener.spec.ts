import type { DataSource, EntityManager } from 'typeorm';
import { Dec } from '../../../common/money/decimal';
import type { ChangeBus } from '../../../common/pubsub/change-bus';
import { Aggregation } from '../../metric/aggregation';
import type { RatingCatalog } from '../../rating/rating-catalog';
import type { IngestedBatch } from '../../usage/usage-ingest.service';
import { AlertIngestListener } from '../alert-ingest-listener';
import { AlertRaiser } from '../alert-raiser';
import { ruleTerms } from './rule-fixtures';

const ORG = '00000000-0000-4000-8000-000000000001';
const rule = ruleTerms({ id: 'r80' });

/** An alert listener over a fake ingest transaction whose alert inserts return `inserted` rows, and a batch at 85 of a 100 limit. */
function setup(inserted: Array<{ message: string }>) {
  const query = jest.fn(async (sql: string) => (sql.includes('INSERT INTO alerts') ? inserted : []));
  // The rules come through the transaction's own connection (a prepared statement), the rest through tx.query.
  const connection = { query: async () => ({ rows: [rule] }) };
  const tx = { queryRunner: { connect: async () => connection }, query } as unknown as EntityManager;
  const bus = { notifyChannel: null, afterCommitAll: jest.fn(async () => undefined) };
  const catalog = { metricsWithIds: async () => new Map([['m1', { code: 'calls', unit: 'call', aggregation: Aggregation.SUM }]]) };
  const service = new AlertIngestListener(
    catalog as unknown as RatingCatalog,
    new AlertRaiser({} as DataSource, bus as unknown as ChangeBus),
  );
  const batch = (periodStart: string): IngestedBatch => ({
    organizationId: ORG,
    now: new Date(periodStart),
    currency: 'USD',
    terms: { charges: new Map([['m1', { limit: '100' }]]), plan: { monthlyBudget: null } } as unknown as IngestedBatch['terms'],
    budget: null,
    totals: [{ metricId: 'm1', periodStart: new Date(periodStart), quantity: new Dec(85) }] as IngestedBatch['totals'],
    periodCosts: new Map(),
    rollups: [],
  });
  const inserts = () => query.mock.calls.filter(([sql]) => sql.includes('INSERT INTO alerts')).length;
  return { service, tx, bus, batch, inserts };
}

describe('AlertIngestListener.afterIngest', () => {
  it('sends no insert for a dedup key known to be committed, and knows a key only once its batch has committed', async () => {
    const { service, tx, bus, batch, inserts } = setup([{ message: `${ORG}/a1` }]);
    const march = batch('2026-03-01T00:00:00Z');
    await service.afterIngest(tx, march);
    expect(inserts()).toBe(1);
    // That batch rolled back (its task never ran): the next one writes the alert again.
    const retried = await service.afterIngest(tx, march);
    expect(inserts()).toBe(2);
    await retried!();
    expect(bus.afterCommitAll).toHaveBeenCalledWith([`${ORG}/a1`]);
    expect(await service.afterIngest(tx, march)).toBeUndefined();
    expect(inserts()).toBe(2);
    // Another window is another key.
    await service.afterIngest(tx, batch('2026-04-01T00:00:00Z'));
    expect(inserts()).toBe(3);
  });

  it('knows a key whose insert met the alert already there once its batch has committed', async () => {
    const { service, tx, bus, batch, inserts } = setup([]);
    const march = batch('2026-03-01T00:00:00Z');
    const task = await service.afterIngest(tx, march);
    await task!();
    expect(bus.afterCommitAll).not.toHaveBeenCalled();
    await service.afterIngest(tx, march);
    expect(inserts()).toBe(1);
  });
});
