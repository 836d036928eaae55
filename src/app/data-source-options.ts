import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';

/**
 * One definition of the connection for the app, the tests and the TypeORM CLI.
 * The app and the test server pass `logger: new QueryLogger(…)`; without one
 * (the CLI, scripts) TypeORM prints failed queries on the console.
 */
export function dataSourceOptions(url: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{js,ts}')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: ['error'],
    extra: { max: 20, application_name: 'meterly' },
    ...overrides,
  } as DataSourceOptions;
}
