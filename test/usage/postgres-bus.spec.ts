import pino from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import type { ChangeBus } from '../../src/common/pubsub/change-bus';
import { PostgresChangeBus } from '../../src/common/pubsub/postgres-change-bus';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

describe('PostgreSQL change bus (LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let bus: ChangeBus;
  const received: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new DataSource(dataSourceOptions(database.url));
    await db.initialize();
    bus = new PostgresChangeBus(database.url, 'meterly_test_many', pino({ level: 'silent' }));
    bus.onChange((message) => received.push(message));
    await bus.start();
  });
  afterAll(async () => {
    await bus?.close();
    await db?.destroy();
    await database?.drop();
  });

  // As writers do: NOTIFY on the bus's channel inside their statement.
  const notify = (tx: EntityManager, messages: string[]) =>
    tx.query('SELECT pg_notify($1, m) FROM unnest($2::text[]) WITH ORDINALITY AS u(m, n) ORDER BY n', [bus.notifyChannel, messages]);

  const settle = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };

  it('announces many messages in one statement, delivered in order when the transaction commits, not before', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => `org/${i}`);
    await db.transaction(async (tx) => {
      await notify(tx, messages);
      await new Promise((r) => setTimeout(r, 100));
      expect(received).toEqual([]);
    });
    await bus.afterCommitAll(messages);
    await settle(messages.length);
    expect(received).toEqual(messages);
  });

  it('announces nothing for a transaction that rolls back', async () => {
    received.length = 0;
    await db
      .transaction(async (tx) => {
        await notify(tx, ['gone/1', 'gone/2']);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await db.transaction((tx) => notify(tx, ['kept/1']));
    await settle(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual(['kept/1']);
  });
});
