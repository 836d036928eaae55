import type { Logger } from 'pino';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's log, through the app's logger instead of the console. A failed
 * query is also thrown to its caller, which either expects it (a refused
 * change) or logs it as the error it is, with the QueryFailedError's SQL; so
 * TypeORM's own report of it is a debug line, without the parameters (they
 * carry customers' data). Every query passes through logQuery: it does nothing.
 */
export class QueryLogger implements TypeOrmLogger {
  constructor(private readonly logger: Logger) {}

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug({ err: error, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ms: time, query }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug({ schema: message }, 'schema build');
  }

  logMigration(message: string): void {
    this.logger.debug({ migration: message }, 'migration');
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn({ typeorm: message }, 'TypeORM warning');
    else this.logger.debug({ typeorm: message }, 'TypeORM');
  }
}
