import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { parseBearer } from '../common/auth/bearer';
import type { Principal } from '../common/auth/principal';
import type { createErrorFormatter } from '../common/errors/format-error';
import type { createQueryLimits } from '../common/graphql/query-limits';
import type { ServerMetrics } from '../common/observability/metrics';
import type { Services } from '../services';
import { unauthenticated } from './authenticate';
import type { RequestContext } from './request-context';

export interface WsServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  metrics: ServerMetrics;
  limits: ReturnType<typeof createQueryLimits>;
  formatError: ReturnType<typeof createErrorFormatter>;
  context: (principal: Principal) => RequestContext;
}

export interface GraphqlWsServer {
  /** Ends the subscriptions and closes the sockets (Apollo's drain calls it). */
  dispose(): Promise<void>;
  /** Stops accepting connections. */
  close(): void;
}

/** Subscriptions over graphql-ws at /graphql on the HTTP server's port, authenticated once per connection. */
export function startWsServer({ httpServer, schema, services, metrics, limits, formatError, context }: WsServerOptions): GraphqlWsServer {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { principal?: Principal }>(
    {
      schema,
      onConnect: async (ctx) => {
        const key = parseBearer(ctx.connectionParams?.authorization);
        if (!key) {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized: connectionParams.authorization is missing');
          return false;
        }
        const principal = await services.apiKeys.authenticate(key);
        if (!principal) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.principal = principal;
        metrics.wsConnections.inc();
        return true;
      },
      onSubscribe: (_ctx, _id, payload) => {
        const document = parse(payload.query);
        const errors = validate(schema, document, [...specifiedRules, ...limits.validationRules]);
        return errors.length
          ? errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }))
          : undefined;
      },
      context: (ctx): RequestContext => {
        const principal = ctx.extra.principal;
        if (!principal) throw unauthenticated('Not authenticated');
        return context(principal);
      },
      // The same error shaping as over HTTP: stable codes, no internals.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
    },
    wsServer,
  );
  return {
    dispose: async () => {
      await wsCleanup.dispose();
    },
    close: () => wsServer.close(),
  };
}
