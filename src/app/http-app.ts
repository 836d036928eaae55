import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import express from 'express';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Principal } from '../common/auth/principal';
import { sendRestError } from '../common/errors/format-error';
import type { CorsPolicy } from '../common/http/cors';
import { dashboardDistDir, mountDashboard } from '../common/http/dashboard';
import { graphqlHttpHandler } from '../common/http/graphql-http-handler';
import type { PreparedQueryLane } from '../common/http/prepared-query-lane';
import { restBodyErrors } from '../common/http/rest-body-errors';
import type { ServerMetrics } from '../common/observability/metrics';
import { processHealth } from '../common/observability/process-health';
import { PaymentError, PaymentErrorReason } from '../modules/payment/payment.error';
import type { Services } from '../services';
import type { Authenticate } from './authenticate';
import type { RequestContext } from './request-context';

export interface HttpAppOptions {
  apollo: ApolloServer<RequestContext>;
  db: DataSource;
  services: Services;
  metrics: ServerMetrics;
  logger: Logger;
  authenticate: Authenticate;
  context: (principal: Principal) => RequestContext;
  /** Largest /graphql body read, once the key is accepted. */
  maxBodyBytes: number;
  /** Browser origins allowed to call /graphql. */
  cors: CorsPolicy;
  /** Answers the queries clients repeat without Apollo's pipeline. */
  lane: PreparedQueryLane;
}

/**
 * The HTTP side of the port: /graphql, /healthz, /metrics, the Stripe webhook,
 * invoice PDFs, the invoice CSV export and the dashboard. Returns the node:http request listener.
 */
export function httpRequestListener({
  apollo,
  db,
  services,
  metrics,
  logger,
  authenticate,
  context,
  maxBodyBytes,
  cors,
  lane,
}: HttpAppOptions) {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', async (_req, res) => {
    // Under the main process: the workers it replaced and the database restarts, whatever the database says now.
    const processes = processHealth();
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ok', database: 'ok', ...(processes && { processes }) });
    } catch (err) {
      logger.error({ err }, 'health check failed');
      res.status(503).json({ status: 'error', database: 'unreachable', ...(processes && { processes }) });
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
  // A body that could not be read (too large, aborted) answers in JSON, as every error of the route does.
  app.use('/webhooks/stripe', restBodyErrors(logger));
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
  // Invoices and their lines of a period as CSV, for accountants (same bearer key): ?month=YYYY-MM or ?from=…&to=…,
  // and organizationId (a platform admin's choice; others get their own). Streamed: a failure midway cuts the download.
  app.get('/invoices/export.csv', async (req, res) => {
    let exported;
    try {
      const principal = await authenticate(req.headers.authorization);
      exported = await services.invoiceExport.open(principal, req.query);
    } catch (err) {
      sendRestError(res, err, logger);
      return;
    }
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${exported.filename}"`,
      'Cache-Control': 'private, no-store',
    });
    await exported.writeTo(res).catch((err: unknown) => logger.error({ err }, 'invoice export stopped'));
  });
  // After every API route: the dashboard answers what is left.
  mountDashboard(app, dashboardDistDir());

  // /graphql is served on node:http directly (see graphqlHttpHandler); Express serves the rest.
  const graphqlHttp = graphqlHttpHandler(
    apollo,
    async (req): Promise<RequestContext> => context(await authenticate(req.headers.authorization)),
    maxBodyBytes,
    logger,
    cors,
    lane,
  );
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url?.split('?', 1)[0];
    if (path === '/graphql' || path === '/graphql/') graphqlHttp(req, res);
    else app(req, res);
  };
}
