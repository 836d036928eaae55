import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/app/data-source-options';
import { oneQueryAtATime } from './src/common/database/pg-driver';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:*`, which starts the
 * embedded database and sets DATABASE_URL first). The app builds its own from
 * the same options in src/main.ts. migration:generate reads the schema, which
 * needs its queries one at a time.
 */
export const AppDataSource = oneQueryAtATime(
  new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:54329/meterly')),
);
