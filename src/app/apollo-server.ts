import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type { createErrorFormatter } from '../common/errors/format-error';
import { jitPlugin } from '../common/graphql/jit-plugin';
import type { createQueryLimits } from '../common/graphql/query-limits';
import type { ServerMetrics } from '../common/observability/metrics';
import type { AppConfig } from '../config';
import type { RequestContext } from './request-context';

export interface ApolloOptions {
  schema: GraphQLSchema;
  config: AppConfig;
  httpServer: Server;
  metrics: ServerMetrics;
  limits: ReturnType<typeof createQueryLimits>;
  formatError: ReturnType<typeof createErrorFormatter>;
  /** Run when Apollo stops, after HTTP has drained: closes the websocket subscriptions. */
  drainWebSockets(): Promise<void>;
}

/** Apollo Server, started: executes GraphQL over HTTP, with the query limits, metrics and graphql-jit. */
export async function startApollo({ schema, config, httpServer, metrics, limits, formatError, drainWebSockets }: ApolloOptions) {
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    formatError,
    plugins: [
      ...limits.plugins,
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
          };
        },
      },
    ],
  });
  await apollo.start();
  return apollo;
}
