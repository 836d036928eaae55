import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { ServerMetrics } from './common/observability/metrics';
import type { ChangeBus } from './common/pubsub/change-bus';
import { ApiKeyService } from './modules/api-key/api-key.service';
import { BillingCloseService } from './modules/billing/billing-close.service';
import { BillingService, type PaymentCollector } from './modules/billing/billing.service';
import { CreditService } from './modules/credit/credit.service';
import { InvoiceService } from './modules/invoice/invoice.service';
import { StripePayments } from './modules/payment/stripe-payments';
import { SubscriptionService } from './modules/subscription/subscription.service';
import { MetricService } from './modules/metric/metric.service';
import { OrganizationService } from './modules/organization/organization.service';
import { PlanService } from './modules/plan/plan.service';
import { UsageLiveHub } from './modules/usage/live/usage-live-hub';
import { UsageCatalog } from './modules/usage/usage-catalog';
import { UsageIngestService } from './modules/usage/usage-ingest.service';
import { UsageQueryService } from './modules/usage/usage-query.service';

/** The plain services behind the resolvers; one set per server. */
export interface StripeSetup {
  client: Stripe;
  webhookSecret: string | undefined;
}

export function createServices(db: DataSource, bus: ChangeBus, logger: Logger, metrics: ServerMetrics, stripe?: StripeSetup) {
  const organizations = new OrganizationService(db);
  const catalog = new UsageCatalog(db);
  const usageQuery = new UsageQueryService(db, catalog);
  const invoices = new InvoiceService(db);
  // Without Stripe, collection is manual (markInvoicePaid).
  const payments = stripe ? new StripePayments(db, stripe.client, stripe.webhookSecret, logger) : null;
  const collector: PaymentCollector | null = payments;
  // Every organisation gets its Stripe customer when it is created; a failure is retried when a card is attached.
  organizations.onCreated(async (organization) => {
    await payments
      ?.ensureCustomer(organization)
      .catch((err: unknown) => logger.warn({ err, organizationId: organization.id }, 'Stripe customer not created'));
  });
  return {
    db,
    bus,
    apiKeys: new ApiKeyService(db),
    organizations,
    metrics: new MetricService(db),
    plans: new PlanService(db),
    usageIngest: new UsageIngestService(db, catalog, organizations, bus),
    usageQuery,
    usageLive: new UsageLiveHub(bus, usageQuery, logger, { reports: metrics.liveReports, messages: metrics.liveMessages }),
    invoices,
    subscriptions: new SubscriptionService(db),
    credits: new CreditService(db),
    payments,
    billing: new BillingService(db, new BillingCloseService(db, catalog, logger), invoices, collector, logger),
    /** Where this server is reached, for links such as invoice PDFs; set once it listens. */
    links: { baseUrl: '' },
  };
}

export type Services = ReturnType<typeof createServices>;
