import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { createErrorFormatter } from '../common/errors/format-error';
import { jitPlugin } from '../common/graphql/jit-plugin';
import {
  PERSISTED_QUERY_TTL_SECONDS,
  PostgresQueryCache,
  RedisQueryCache,
  type PersistedQueryCache,
} from '../common/graphql/persisted-query-cache';
import type { createQueryLimits } from '../common/graphql/query-limits';
import { graphqlHttpPlugin } from '../common/http/graphql-http-plugin';
import type { ServerMetrics } from '../common/observability/metrics';
import type { AppConfig } from '../config';
import type { RequestContext } from './request-context';

export interface ApolloOptions {
  schema: GraphQLSchema;
  config: AppConfig;
  httpServer: Server;
  metrics: ServerMetrics;
  logger: Logger;
  limits: ReturnType<typeof createQueryLimits>;
  formatError: ReturnType<typeof createErrorFormatter>;
  /** Where persisted queries are shared between processes and nodes; null answers PERSISTED_QUERY_NOT_SUPPORTED. */
  persistedQueries: PersistedQueryCache | null;
  /** Run when Apollo stops, after HTTP has drained: closes the websocket subscriptions. */
  drainWebSockets(): Promise<void>;
}

/** Apollo Server, started: executes GraphQL over HTTP, with the query limits, metrics and graphql-jit. */
export async function startApollo({
  schema,
  config,
  httpServer,
  metrics,
  logger,
  limits,
  formatError,
  persistedQueries,
  drainWebSockets,
}: ApolloOptions) {
  const apollo = new ApolloServer<RequestContext>({
    schema,
    logger: apolloLogger(logger),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    persistedQueries: persistedQueries ? { cache: persistedQueries, ttl: PERSISTED_QUERY_TTL_SECONDS } : false,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    formatError,
    // A request carrying an API key cannot be a cross-site forgery: browsers send Authorization cross-site only after a
    // CORS preflight the allow-list answers. So GET queries with the key pass (urql's default); keyless ones stay refused.
    csrfPrevention: { requestHeaders: ['authorization', 'apollo-require-preflight', 'x-apollo-operation-name'] },
    plugins: [
      ...limits.plugins,
      graphqlHttpPlugin(logger),
      metrics.plugin,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // The schema has no cache hints, and the plugin's per-field hook wrapped every resolver. /graphql sets no-store itself.
      ApolloServerPluginCacheControlDisabled(),
      jitPlugin<RequestContext>(schema, formatError),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await drainWebSockets();
            },
            async serverWillStop() {
              await persistedQueries?.close();
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  return apollo;
}

/** Persisted queries in Redis when the deployment has one (REDIS_URL), otherwise in PostgreSQL; none when turned off. */
export function persistedQueryCache(config: AppConfig, db: DataSource, logger: Logger): PersistedQueryCache | null {
  if (!config.persistedQueries) return null;
  return config.redisUrl ? new RedisQueryCache(config.redisUrl, logger) : new PostgresQueryCache(db, logger);
}

/** Apollo's own log lines (a plugin hook that threw, an unexpected failure) in the app's JSON log. */
function apolloLogger(logger: Logger) {
  const apollo = logger.child({ component: 'apollo' });
  return {
    debug: (message: unknown) => apollo.debug(String(message)),
    info: (message: unknown) => apollo.info(String(message)),
    warn: (message: unknown) => apollo.warn(String(message)),
    error: (message: unknown) => apollo.error(String(message)),
  };
}
