import { createServer, type Server, type ServerOptions } from 'node:http';
import Stripe from 'stripe';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createErrorFormatter } from './common/errors/format-error';
import { CorsPolicy } from './common/http/cors';
import { createDocumentChecker, createQueryLimits } from './common/graphql/query-limits';
import { PreparedQueryLane } from './common/http/prepared-query-lane';
import { createMetrics } from './common/observability/metrics';
import type { AppConfig } from './config';
import { persistedQueryCache, startApollo } from './app/apollo-server';
import { bearerAuthenticator } from './app/authenticate';
import { buildAppSchema } from './app/build-schema';
import { httpRequestListener } from './app/http-app';
import { closeNode, listen, startChangeBuses, startScheduler } from './app/lifecycle';
import { requestContextFactory } from './app/request-context';
import { startWsServer } from './app/ws-server';
import { createServices, type Services, type StripeSetup } from './services';

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  httpServer: Server;
  services: Services;
  /** Drains HTTP requests and websockets; the caller closes the database. */
  close(): Promise<void>;
}

/** Stripe from the configuration's keys, unless the caller brought its own (tests do). */
function stripeFromConfig(config: AppConfig): StripeSetup | undefined {
  return config.stripeSecretKey
    ? {
        client: new Stripe(config.stripeSecretKey, { maxNetworkRetries: 2, telemetry: false }),
        webhookSecret: config.stripeWebhookSecret,
      }
    : undefined;
}

/** Slow-header and slow-body clients are cut off; node checks the timeouts every `connectionsCheckingInterval`. */
function httpServerOptions({ transport }: AppConfig): ServerOptions {
  const shortest = Math.min(...[transport.headersTimeoutMs, transport.requestTimeoutMs].filter((ms) => ms > 0));
  return {
    headersTimeout: transport.headersTimeoutMs,
    requestTimeout: transport.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(shortest / 4))),
  };
}

/** Wires GraphQL over HTTP and graphql-ws on one port at /graphql, plus /healthz and /metrics. */
export async function startServer(options: {
  db: DataSource;
  config: AppConfig;
  logger: Logger;
  stripe?: StripeSetup;
}): Promise<RunningServer> {
  const { db, config, logger } = options;
  const schema = buildAppSchema();
  const buses = await startChangeBuses(db, config, logger);
  const metrics = createMetrics();
  const stripe = options.stripe ?? stripeFromConfig(config);
  const services = createServices({
    db,
    usageBus: buses.usage,
    alertBus: buses.alert,
    apiKeyBus: buses.apiKeys,
    logger,
    metrics,
    config,
    stripe,
  });
  services.alertDelivery.start();
  services.webhookDelivery.start();
  services.statementDelivery?.start();
  const limits = createQueryLimits(config.limits);
  // Apollo's checks, for what Apollo does not see: websocket operations and the prepared-query lane.
  const checkDocument = createDocumentChecker(schema, config.limits, limits.validationRules, config.introspection);
  const formatError = createErrorFormatter(logger);
  const lane = new PreparedQueryLane({ schema, checkDocument, maxCost: config.limits.maxCost, metrics, formatError });
  const context = requestContextFactory(db, services);
  const cors = new CorsPolicy(config.corsOrigins);

  // Requests are routed once Apollo has started (below).
  const httpServer = createServer(httpServerOptions(config));
  const ws = startWsServer({
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
  });
  const persistedQueries = persistedQueryCache(config, db, logger);
  const apollo = await startApollo({
    schema,
    config,
    httpServer,
    metrics,
    logger,
    limits,
    formatError,
    persistedQueries,
    drainWebSockets: ws.dispose,
  });
  const authenticate = bearerAuthenticator(services.apiKeys);
  const maxBodyBytes = config.transport.maxBodyBytes;
  httpServer.on('request', httpRequestListener({ apollo, db, services, metrics, logger, authenticate, context, maxBodyBytes, cors, lane }));

  const { host, port } = await listen(httpServer, config);
  services.links.baseUrl = config.publicUrl ?? `http://${host}:${port}`;
  const scheduler = startScheduler(services, config, logger);

  return {
    url: `http://${host}:${port}/graphql`,
    wsUrl: `ws://${host}:${port}/graphql`,
    port,
    httpServer,
    services,
    close: () => closeNode({ scheduler, apollo, ws, services, buses }),
  };
}
