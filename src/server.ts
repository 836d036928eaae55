import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import Stripe from 'stripe';
import { GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import { parseBearer } from './common/auth/bearer';
import type { Principal } from './common/auth/principal';
import { ErrorCode } from './common/errors/error-code';
import { createErrorFormatter, sendRestError } from './common/errors/format-error';
import { buildAppSchema } from './app/build-schema';
import { jitPlugin } from './common/graphql/jit-plugin';
import { createLoaders } from './app/loaders';
import { createQueryLimits } from './common/graphql/query-limits';
import type { RequestContext } from './app/request-context';
import { createMetrics } from './common/observability/metrics';
import type { AppConfig } from './config';
import type { ChangeBus } from './common/pubsub/change-bus';
import { PostgresChangeBus } from './common/pubsub/postgres-change-bus';
import { RedisChangeBus } from './common/pubsub/redis-change-bus';
import { USAGE_CHANNEL } from './modules/usage/usage-ingest.service';
import { startBillingScheduler } from './modules/billing/billing-scheduler';
import { PaymentError, PaymentErrorReason } from './modules/payment/payment.error';
import { createServices, type Services, type StripeSetup } from './services';
import { ALERT_CHANNEL } from './modules/alert/alert.service';
import { dashboardDistDir, mountDashboard } from './common/http/dashboard';
import { graphqlHttpHandler } from './common/http/graphql-http-handler';

/** The connection URL of the DataSource, for the LISTEN connection. */
function postgresUrl(db: DataSource): string {
  const url = (db.options as { url?: string }).url;
  if (!url) throw new Error('The DataSource must be configured with a url');
  return url;
}

export interface RunningServer {
  url: string;
  wsUrl: string;
  port: number;
  httpServer: Server;
  services: Services;
  /** Drains HTTP requests and websockets; the caller closes the database. */
  close(): Promise<void>;
}

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });

/** Wires GraphQL over HTTP and graphql-ws on one port at /graphql, plus /healthz and /metrics. */
export async function startServer(options: {
  db: DataSource;
  config: AppConfig;
  logger: Logger;
  stripe?: StripeSetup;
}): Promise<RunningServer> {
  const { db, config, logger } = options;
  const schema = buildAppSchema();
  const busOn = (channel: string): ChangeBus =>
    config.redisUrl ? new RedisChangeBus(config.redisUrl, channel, logger) : new PostgresChangeBus(postgresUrl(db), channel, logger);
  const bus = busOn(USAGE_CHANNEL);
  const alertBus = busOn(ALERT_CHANNEL);
  await Promise.all([bus.start(), alertBus.start()]);
  const metrics = createMetrics();
  const stripe: StripeSetup | undefined =
    options.stripe ??
    (config.stripeSecretKey
      ? {
          client: new Stripe(config.stripeSecretKey, { maxNetworkRetries: 2, telemetry: false }),
          webhookSecret: config.stripeWebhookSecret,
        }
      : undefined);
  const services = createServices({ db, usageBus: bus, alertBus, logger, metrics, config, stripe });
  services.alertDelivery.start();
  const limits = createQueryLimits(config.limits);
  const formatError = createErrorFormatter(logger);

  const authenticate = async (authorization: string | undefined): Promise<Principal> => {
    const key = parseBearer(authorization);
    if (!key) throw unauthenticated('Send an API key as "Authorization: Bearer <key>"');
    const principal = await services.apiKeys.authenticate(key);
    if (!principal) throw unauthenticated('The API key is not valid');
    return principal;
  };

  const app = express();
  app.disable('x-powered-by');
  // Requests are routed once Apollo has started (below).
  const httpServer = createServer();

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
        return { principal, loaders: createLoaders(db), services };
      },
      // The same error shaping as over HTTP: stable codes, no internals.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
    },
    wsServer,
  );

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
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch (err) {
      logger.error({ err }, 'health check failed');
      res.status(503).json({ status: 'error', database: 'unreachable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  // Stripe signs the raw body: it is read as bytes here, before any JSON parsing.
  app.post('/webhooks/stripe', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    try {
      if (!services.payments) throw new PaymentError(PaymentErrorReason.NOT_CONFIGURED, 'Stripe is not configured');
      const result = await services.payments.handleWebhook(req.body as Buffer, req.header('stripe-signature'));
      res.json({ received: true, ...result });
    } catch (err) {
      sendRestError(res, err, logger);
    }
  });
  // The PDF of an invoice, for callers who may see it (same bearer key as the API).
  app.get('/invoices/:id/pdf', async (req, res) => {
    try {
      const principal = await authenticate(req.headers.authorization);
      const { filename, content } = await services.invoices.pdf(principal, req.params.id);
      res.set({
        'Content-Type': 'application/pdf',
        'Content-Disposition': `inline; filename="${filename}"`,
        'Cache-Control': 'private, no-store',
      });
      res.send(content);
    } catch (err) {
      sendRestError(res, err, logger);
    }
  });
  // /graphql is served on node:http directly (see graphqlHttpHandler); Express serves the rest.
  const graphqlHttp = graphqlHttpHandler(
    apollo,
    async (req): Promise<RequestContext> => ({
      principal: await authenticate(req.headers.authorization),
      loaders: createLoaders(db),
      services,
    }),
    '16mb',
    logger,
  );
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url?.split('?', 1)[0];
    if (path === '/graphql' || path === '/graphql/') graphqlHttp(req, res);
    else app(req, res);
  });

  // After every API route: the dashboard answers what is left.
  mountDashboard(app, dashboardDistDir());
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  services.links.baseUrl = config.publicUrl ?? `http://${host}:${port}`;
  const scheduler =
    config.billingIntervalSeconds > 0 ? startBillingScheduler(services.billing, config.billingIntervalSeconds, logger) : null;

  return {
    url: `http://${host}:${port}/graphql`,
    wsUrl: `ws://${host}:${port}/graphql`,
    port,
    httpServer,
    services,
    close: async () => {
      scheduler?.stop();
      await apollo.stop();
      wsServer.close();
      services.usageLive.close();
      services.alertDelivery.stop();
      await Promise.all([bus.close(), alertBus.close()]);
    },
  };
}
