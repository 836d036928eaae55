import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import pino from 'pino';
import { RedisChangeBus } from '../../src/common/pubsub/redis-change-bus';
import { UsageUpdatedDocument } from '../generated/graphql';
import { freePort, waitForPort } from '../helpers/free-port';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';
import { openWsClient, wsSubscribe } from '../helpers/ws-client';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis) {
  // Said plainly rather than failing a fresh machine: .ci/run installs it, so CI always runs this.
  console.warn(
    'redis-bus.spec: redis-server is not installed, so the REDIS_URL adapter was NOT tested. Install it with `apt-get install redis-server`.',
  );
}

(hasRedis ? describe : describe.skip)('live usage over Redis (REDIS_URL)', () => {
  let redis: ChildProcess;
  let redisUrl: string;
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port);
    redisUrl = `redis://127.0.0.1:${port}`;
    one = await startTestServer({ redisUrl });
    // The second server shares the first one's database, as two nodes of one deployment.
    two = await startTestServer({ redisUrl }, one);
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    redis?.kill();
  });

  it('carries a change recorded on one node to a subscriber of another', async () => {
    const org = await planWithOrganization(one.admin, [{ code: 'redis_calls', unit: 'call', aggregation: 'SUM' }], {
      code: 'redis',
      name: 'Redis',
      currency: 'USD',
      basePrice: '0',
      // Usage of a metric the plan does not charge is refused (NOT_IN_PLAN), so the plan charges it, at no cost.
      charges: [{ metric: 'redis_calls', model: 'PER_UNIT', unitPrice: '0' }],
    });
    const ws = openWsClient(two.server.wsUrl, two.adminKey);
    try {
      const sub = wsSubscribe(ws, UsageUpdatedDocument, { organizationId: org });
      expect((await sub.next()).data?.usageUpdated.metrics).toEqual([expect.objectContaining({ metric: 'redis_calls', used: '0' })]);
      await record(one.admin, org, [{ id: 'r1', metric: 'redis_calls', quantity: '4', timestamp: at(0) }]);
      expect((await sub.next()).data?.usageUpdated.metrics[0]).toMatchObject({ metric: 'redis_calls', used: '4' });
    } finally {
      await ws.dispose();
    }
  });

  it('publishes many messages at once, in order, once the writer has committed (afterCommitAll)', async () => {
    const logger = pino({ level: 'silent' });
    const sender = new RedisChangeBus(redisUrl, 'meterly_test_many', logger);
    const receiver = new RedisChangeBus(redisUrl, 'meterly_test_many', logger);
    await Promise.all([sender.start(), receiver.start()]);
    try {
      const received: string[] = [];
      receiver.onChange((message) => received.push(message));
      const messages = Array.from({ length: 50 }, (_, i) => `org/${i}`);
      await sender.afterCommitAll(messages);
      const deadline = Date.now() + 5000;
      while (received.length < messages.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toEqual(messages);
    } finally {
      await Promise.all([sender.close(), receiver.close()]);
    }
  });
});
