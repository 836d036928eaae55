import pino from 'pino';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/app/data-source-options';
import { QueryLogger } from '../../src/common/database/query-logger';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

describe("TypeORM's log through the app's logger", () => {
  let database: TestDatabase;
  let db: DataSource;
  const debug = jest.fn();

  beforeAll(async () => {
    database = await createTestDatabase();
    const logger = pino({ level: 'silent' });
    jest.spyOn(logger, 'debug').mockImplementation(debug);
    db = new DataSource(dataSourceOptions(database.url, { logger: new QueryLogger(logger) }));
    await db.initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('reports a failed query there, not on the console, and still throws it to the caller', async () => {
    const console = jest.spyOn(global.console, 'log');
    await expect(db.query('SELECT 1 / 0')).rejects.toThrow(/division by zero/);
    expect(console).not.toHaveBeenCalled();
    expect(debug).toHaveBeenCalledWith(expect.objectContaining({ query: 'SELECT 1 / 0' }), 'query failed');
    console.mockRestore();
  });
});
