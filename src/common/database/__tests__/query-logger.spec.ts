import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { QueryLogger } from '../query-logger';

/** A QueryLogger writing to lines, called as TypeORM calls it. */
function capture(level: string): { logger: TypeOrmLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: new QueryLogger(pino({ level }, sink)), lines };
}

describe('QueryLogger', () => {
  it("reports a failed query to the app's log at debug, with its SQL but not its values", async () => {
    const { logger, lines } = capture('debug');
    logger.logQueryError(new Error('audit_log is append-only'), 'DELETE FROM audit_log WHERE id = $1', ['secret-value']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 20,
        msg: 'query failed',
        query: 'DELETE FROM audit_log WHERE id = $1',
        err: expect.objectContaining({ message: 'audit_log is append-only' }),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-value');
  });

  it('writes nothing per query, and warnings at warn', async () => {
    const { logger, lines } = capture('info');
    logger.logQuery('SELECT 1', []);
    logger.logQueryError('refused', 'SELECT 1');
    logger.log('warn', 'something odd');
    logger.logQuerySlow(1500, 'SELECT pg_sleep(1.5)');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'TypeORM warning'],
      [40, 'slow query'],
    ]);
  });
});
