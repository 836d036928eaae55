import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { ServerMetrics } from './common/observability/metrics';
import type { ChangeBus } from './common/pubsub/change-bus';
import { createTransport } from 'nodemailer';
import { OutboundPolicy } from './common/http/outbound-target';
import { Dec } from './common/money/decimal';
import type { AppConfig } from './config';
import { AlertDeliveryWorker, DEFAULT_DELIVERY } from './modules/alert/alert-delivery.worker';
import { AlertIngestListener } from './modules/alert/alert-ingest-listener';
import { AlertLiveHub } from './modules/alert/alert-live-hub';
import { AlertRaiser } from './modules/alert/alert-raiser';
import { AlertRuleService } from './modules/alert/alert-rule.service';
import { AlertSeverity } from './modules/alert/alert-severity';
import { AlertService } from './modules/alert/alert.service';
import { ForecastAlertService } from './modules/alert/forecast-alert.service';
import { ApiKeyService } from './modules/api-key/api-key.service';
import { AuditService } from './modules/audit/audit.service';
import { BillingCloseService } from './modules/billing/billing-close.service';
import { BillingService, type PaymentCollector } from './modules/billing/billing.service';
import { CostService } from './modules/cost/cost.service';
import { EstimateService } from './modules/cost/estimate.service';
import { CreditService } from './modules/credit/credit.service';
import { ALL_ORGANIZATIONS, EntitlementService } from './modules/entitlement/entitlement.service';
import { ForecastService } from './modules/forecast/forecast.service';
import { RecommendationService } from './modules/forecast/recommendation.service';
import { InvoiceService } from './modules/invoice/invoice.service';
import { PaymentMethodService } from './modules/payment/payment-methods';
import { StripePayments } from './modules/payment/stripe-payments';
import { SubscriptionService } from './modules/subscription/subscription.service';
import { MetricService } from './modules/metric/metric.service';
import { OrganizationSettingsService } from './modules/organization/organization-settings.service';
import { OrganizationService } from './modules/organization/organization.service';
import { PlanService } from './modules/plan/plan.service';
import { RatingCatalog } from './modules/rating/rating-catalog';
import { UsageLiveHub } from './modules/usage/live/usage-live-hub';
import { UsageIngestService } from './modules/usage/usage-ingest.service';
import { UsageQueryService } from './modules/usage/usage-query.service';

/** The plain services behind the resolvers; one set per server. */
export interface StripeSetup {
  client: Stripe;
  webhookSecret: string | undefined;
}

export interface ServiceOptions {
  db: DataSource;
  usageBus: ChangeBus;
  alertBus: ChangeBus;
  /** Announces API keys changed in the database. */
  apiKeyBus: ChangeBus;
  logger: Logger;
  metrics: ServerMetrics;
  config: AppConfig;
  stripe?: StripeSetup;
}

export function createServices({ db, usageBus: bus, alertBus, apiKeyBus, logger, metrics, config, stripe }: ServiceOptions) {
  const apiKeys = new ApiKeyService(db);
  apiKeys.forgetChangedKeys(apiKeyBus);
  const organizations = new OrganizationService(db);
  const catalog = new RatingCatalog(db);
  const usageQuery = new UsageQueryService(db, catalog);
  const invoices = new InvoiceService(db);
  const forecasts = new ForecastService(db, catalog);
  // Without Stripe, collection is manual (markInvoicePaid).
  const payments = stripe ? new StripePayments(db, stripe.client, stripe.webhookSecret, logger) : null;
  const collector: PaymentCollector | null = payments;
  if (payments) invoices.providePaymentInstructions((invoice) => payments.bankTransfers.pdfInstructions(invoice));
  // Every organisation gets its Stripe customer when it is created; a failure is retried when a card is attached.
  organizations.onCreated(async (organization) => {
    await payments
      ?.ensureCustomer(organization)
      .catch((err: unknown) => logger.warn({ err, organizationId: organization.id }, 'Stripe customer not created'));
  });
  const alertRaiser = new AlertRaiser(db, alertBus);
  const alertRules = new AlertRuleService(db, catalog);
  const usageIngest = new UsageIngestService(db, catalog, bus);
  usageIngest.addListener(new AlertIngestListener(catalog, alertRaiser));
  organizations.onCreating((tx, organization) => alertRules.createDefaults(tx, organization.id));
  const mailer = config.smtpUrl ? createTransport(config.smtpUrl) : null;
  const outbound = new OutboundPolicy(config.webhookAllowedHosts);
  const alertDelivery = new AlertDeliveryWorker(db, mailer, config.alertEmailFrom, logger, outbound, {
    ...DEFAULT_DELIVERY,
    baseDelayMs: config.alertRetryBaseMs,
  });
  alertRaiser.onFired(() => alertDelivery.kick());
  payments?.onPayment({
    paymentFailed: (invoice, message) =>
      alertRaiser.raise(invoice.organizationId, {
        dedupKey: `payment-failed:${invoice.id}:${invoice.paymentAttempts + 1}`,
        kind: 'payment_failed',
        severity: AlertSeverity.CRITICAL,
        threshold: '0',
        value: new Dec(invoice.total).minus(invoice.amountPaid).toFixed(),
        message: `Payment of invoice ${invoice.number ?? invoice.id} failed: ${message}`,
      }),
  });
  const subscriptions = new SubscriptionService(db);
  const entitlements = new EntitlementService(db, catalog, bus);
  subscriptions.onChanged((organizationId) => entitlements.announce(organizationId));
  usageIngest.addListener({ afterIngest: async (_tx, batch) => async () => entitlements.forget(batch.organizationId) });
  const billing = new BillingService(db, new BillingCloseService(db, catalog, logger), invoices, collector, logger);
  const forecastAlerts = new ForecastAlertService(db, alertRaiser, forecasts);
  billing.onCycle((organizationId) => forecastAlerts.evaluate(organizationId));
  // A cycle may apply scheduled plan changes and cancellations.
  billing.onCycle((organizationId) => entitlements.announce(organizationId ?? ALL_ORGANIZATIONS));
  billing.onOverdue((overdue) =>
    alertRaiser.raiseAll(
      overdue.map((invoice) => ({
        organizationId: invoice.organizationId,
        dedupKey: `invoice-overdue:${invoice.id}`,
        kind: 'invoice_overdue',
        severity: AlertSeverity.WARNING,
        threshold: '0',
        value: invoice.amountDue,
        message: `Invoice ${invoice.number} is overdue: ${invoice.amountDue} ${invoice.currency} unpaid`,
      })),
    ),
  );
  return {
    db,
    bus,
    apiKeys,
    organizations,
    organizationSettings: new OrganizationSettingsService(db, outbound),
    metrics: new MetricService(db),
    plans: new PlanService(db),
    usageIngest,
    usageQuery,
    usageLive: new UsageLiveHub(bus, usageQuery, logger, { reports: metrics.liveReports, messages: metrics.liveMessages }),
    invoices,
    subscriptions,
    entitlements,
    credits: new CreditService(db),
    payments,
    paymentMethods: stripe && payments ? new PaymentMethodService(db, stripe.client, payments) : null,
    billing,
    alerts: new AlertService(db),
    alertRules,
    alertDelivery,
    alertLive: new AlertLiveHub(alertBus, db, logger),
    costs: new CostService(db, usageQuery),
    audit: new AuditService(db, logger, metrics.auditFailures),
    forecasts,
    recommendations: new RecommendationService(db, catalog, forecasts),
    estimates: new EstimateService(db, catalog),
    /** Where this server is reached, for links such as invoice PDFs; set once it listens. */
    links: { baseUrl: '' },
  };
}

export type Services = ReturnType<typeof createServices>;
