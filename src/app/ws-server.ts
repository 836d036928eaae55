import type { Server } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { connectionParamsKey } from '../common/auth/bearer';
import type { Principal } from '../common/auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import type { CorsPolicy } from '../common/http/cors';
import type { createErrorFormatter } from '../common/errors/format-error';
import type { createDocumentChecker, createQueryLimits } from '../common/graphql/query-limits';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../common/observability/metrics';
import type { AppConfig } from '../config';
import type { Services } from '../services';
import { unauthenticated } from './authenticate';
import type { RequestContext } from './request-context';
import { watchKeyChanges } from './ws-key-changes';

export interface WsServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  config: AppConfig;
  services: Services;
  metrics: ServerMetrics;
  logger: Logger;
  limits: ReturnType<typeof createQueryLimits>;
  /** The checks Apollo runs before executing, for the operations it does not see. */
  checkDocument: ReturnType<typeof createDocumentChecker>;
  formatError: ReturnType<typeof createErrorFormatter>;
  context: (principal: Principal) => RequestContext;
  /** With CORS_ORIGINS set, browsers on other origins may open a socket only from a listed one. */
  cors: CorsPolicy;
}

export interface GraphqlWsServer {
  /** Ends the subscriptions and closes the sockets (Apollo's drain calls it). */
  dispose(): Promise<void>;
  /** Stops accepting connections. */
  close(): void;
}

/** Close codes of the limits (too many sockets, or operations refused); 4429 is one graphql-ws clients do not retry. */
const TOO_MANY_SOCKETS = 4429;
const MESSAGE_TOO_BIG = 1009;

/**
 * Subscriptions over graphql-ws at /graphql on the HTTP server's port, authenticated once per connection.
 * Bounded like HTTP: frames by `maxBodyBytes` (and `wsPreAuthBytes` until the key is accepted), operations
 * per socket, sockets per key, and the same query limits. An operation's error ends that operation only.
 */
export function startWsServer({
  httpServer,
  schema,
  config,
  services,
  metrics,
  logger,
  limits,
  checkDocument,
  formatError,
  context,
  cors,
}: WsServerOptions): GraphqlWsServer {
  const { maxBodyBytes, wsPreAuthBytes, wsMaxSubscriptions, maxSocketsPerKey } = config.transport;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: maxBodyBytes,
    // Browsers let any page open a websocket anywhere: the Origin is the only sign of whose page it is.
    verifyClient: cors.enabled ? ({ req }, done) => (cors.allows(req) ? done(true) : done(false, 403, 'Origin not allowed')) : undefined,
  });
  const preAuth = watchPreAuthBytes(wsServer, wsPreAuthBytes);
  const keyChanges = watchKeyChanges(services.apiKeys, logger);
  const socketsByKey = new Map<string, number>();
  // One refusal for all: a socket flooding subscribe messages gets each answered without new work.
  const tooManyOperations = [
    new GraphQLError(`At most ${wsMaxSubscriptions} operations may be open at once on one websocket`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'MAX_SUBSCRIPTIONS' },
    }),
  ];

  const wsCleanup = useServer<Record<string, unknown>, { principal?: Principal; refused?: number }>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        const key = connectionParamsKey(ctx.connectionParams);
        if (!key) {
          socket.close(CloseCode.Unauthorized, 'Unauthorized: connectionParams.authorization is missing');
          return false;
        }
        const principal = await services.apiKeys.authenticate(key);
        if (!principal) return false; // graphql-ws closes with 4403 Forbidden
        const open = socketsByKey.get(principal.apiKeyId) ?? 0;
        if (open >= maxSocketsPerKey) {
          socket.close(TOO_MANY_SOCKETS, `Too many open websockets for this API key (at most ${maxSocketsPerKey})`);
          return false;
        }
        socketsByKey.set(principal.apiKeyId, open + 1);
        socket.once('close', () => {
          const left = (socketsByKey.get(principal.apiKeyId) ?? 1) - 1;
          if (left > 0) socketsByKey.set(principal.apiKeyId, left);
          else socketsByKey.delete(principal.apiKeyId);
        });
        preAuth.accepted(socket);
        keyChanges.track(socket, key, principal);
        ctx.extra.principal = principal;
        metrics.wsConnections.inc();
        return true;
      },
      // Returns errors rather than throwing: graphql-ws closes the whole socket (4500) on a throw.
      onSubscribe: (ctx, _id, payload) => {
        // graphql-ws has registered this operation already, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > wsMaxSubscriptions) {
          // A client that keeps asking past the cap is flooding, not mistaken: after as many refusals as the cap
          // allows operations, the socket is dropped instead of answering each of thousands of messages.
          ctx.extra.refused = (ctx.extra.refused ?? 0) + 1;
          if (ctx.extra.refused > wsMaxSubscriptions) {
            const { socket } = ctx.extra;
            // The rest of what it sent is still parsed into frames, but no longer handed to graphql-ws.
            socket.removeAllListeners('message');
            socket.close(TOO_MANY_SOCKETS, `Too many operations refused on this websocket (at most ${wsMaxSubscriptions} open)`);
            setImmediate(() => socket.terminate());
          }
          return tooManyOperations;
        }
        const checked = checkDocument(payload.query);
        if (!('kind' in checked)) return [...checked];
        const tooCostly = limits.refuseCost(schema, checked, payload.operationName, payload.variables);
        if (tooCostly) return [tooCostly];
        return { schema, document: checked, operationName: payload.operationName, variableValues: payload.variables };
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
  replaceSocketErrorLog(wsServer, logger);
  return {
    dispose: async () => {
      await wsCleanup.dispose();
    },
    close: () => wsServer.close(),
  };
}

/**
 * Counts what each socket sends until its key is accepted and closes it past `limit`: ws would
 * otherwise buffer a frame up to `maxPayload` from anyone who can open a connection.
 */
function watchPreAuthBytes(wsServer: WebSocketServer, limit: number) {
  const stopWatching = new WeakMap<WebSocket, () => void>();
  wsServer.on('connection', (socket, request) => {
    const raw = request.socket;
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) return;
      raw.off('data', count);
      socket.close(MESSAGE_TOO_BIG, 'Too much data before authentication');
      // The close frame is on its way; the rest of the frame is not worth reading.
      setImmediate(() => socket.terminate());
    };
    raw.on('data', count);
    stopWatching.set(socket, () => raw.off('data', count));
  });
  return {
    accepted(socket: WebSocket) {
      stopWatching.get(socket)?.();
      stopWatching.delete(socket);
    },
  };
}

/**
 * graphql-ws prints every socket error to the console as a fault of ours. ws has already closed the socket when it
 * emits one, and a frame past the size limit (1009) is the client's doing: log that at debug, anything else as an
 * error, through the app's logger. Runs after graphql-ws's own connection listener, whose error listener it replaces.
 */
function replaceSocketErrorLog(wsServer: WebSocketServer, logger: Logger): void {
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') logger.debug({ err }, 'websocket frame over the size limit');
      else logger.error({ err }, 'websocket error');
    });
  });
}
