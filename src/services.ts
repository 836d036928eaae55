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
import { TwilioSmsSender } from './modules/alert/twilio-sms-sender';
import { ForecastAlertService } from './modules/alert/forecast-alert.service';
import { ApiKeyUsage } from './modules/api-key/api-key-usage';
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
import { InvoiceExportService } from './modules/invoice/invoice-export';
import { InvoiceService } from './modules/invoice/invoice.service';
import { PaymentMethodService } from './modules/payment/payment-methods';
import { StripePayments } from './modules/payment/stripe-payments';
import { SpendControlService } from './modules/spend-control/spend-control.service';
import { PlanChangeRequestService } from './modules/subscription/plan-change-request.service';
import {
  StatementDeliveryWorker,
  DEFAULT_STATEMENT_DELIVERY,
  STATEMENT_SMTP_TIMEOUTS,
} from './modules/statement/statement-delivery.worker';
import { StatementOutbox } from './modules/statement/statement-outbox';
import { SubscriptionService } from './modules/subscription/subscription.service';
import { MetricService } from './modules/metric/metric.service';
import { OrganizationSettingsService } from './modules/organization/organization-settings.service';
import { OrganizationService } from './modules/organization/organization.service';
import { PlanService } from './modules/plan/plan.service';
import { RatingCatalog } from './modules/rating/rating-catalog';
import { UsageLiveHub } from './modules/usage/live/usage-live-hub';
import { UsageIngestService } from './modules/usage/usage-ingest.service';
import { UsageQueryService } from './modules/usage/usage-query.service';
import { DEFAULT_WEBHOOK_DELIVERY, WebhookDeliveryWorker } from './modules/webhook/webhook-delivery.worker';
import { WebhookService } from './modules/webhook/webhook.service';

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
  const apiKeyUsage = new ApiKeyUsage(db, logger);
  const apiKeys = new ApiKeyService(db, apiKeyUsage);
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
  const alertRules = new AlertRuleService(db, catalog, config.sms !== undefined);
  const usageIngest = new UsageIngestService(db, catalog, bus);
  usageIngest.addListener(new AlertIngestListener(catalog, alertRaiser));
  organizations.onCreating((tx, organization) => alertRules.createDefaults(tx, organization.id));
  const mailer = config.smtpUrl ? createTransport(config.smtpUrl) : null;
  const outbound = new OutboundPolicy(config.webhookAllowedHosts);
  const sms = config.sms ? new TwilioSmsSender(config.sms) : null;
  const alertDelivery = new AlertDeliveryWorker(
    db,
    mailer,
    config.alertEmailFrom,
    logger,
    outbound,
    { ...DEFAULT_DELIVERY, baseDelayMs: config.alertRetryBaseMs },
    sms,
  );
  // Statements are queued with the invoice they tell of, and only where they can be sent.
  const statements = new StatementOutbox(config.smtpUrl !== undefined);
  const statementDelivery = config.smtpUrl
    ? new StatementDeliveryWorker(
        db,
        createTransport({ url: config.smtpUrl, ...STATEMENT_SMTP_TIMEOUTS }),
        config.billingEmailFrom,
        invoices,
        logger,
        { ...DEFAULT_STATEMENT_DELIVERY, baseDelayMs: config.alertRetryBaseMs },
      )
    : null;
  invoices.onPaid((tx, invoice) => statements.paid(tx, [invoice.id]));
  alertRaiser.onFired(() => alertDelivery.kick());
  const audit = new AuditService(db, logger, metrics.auditFailures);
  const webhookDelivery = new WebhookDeliveryWorker(db, outbound, audit, logger, {
    ...DEFAULT_WEBHOOK_DELIVERY,
    baseDelayMs: config.webhookRetryBaseMs,
    maxAttempts: config.webhookMaxAttempts,
    disableAfter: config.webhookDisableAfter,
  });
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
    invoicePaid: (tx, invoice) => statements.paid(tx, [invoice.id]),
  });
  const subscriptions = new SubscriptionService(db);
  // An IN_ADVANCE plan's first fee is invoiced with the subscription's start.
  organizations.onCreating((tx, organization) => subscriptions.invoiceOpeningFee(tx, organization.id));
  subscriptions.onIssued((tx, invoiceIds) => statements.issued(tx, invoiceIds));
  const entitlements = new EntitlementService(db, catalog, bus);
  subscriptions.onChanged((organizationId) => entitlements.announce(organizationId));
  usageIngest.addListener({ afterIngest: async (_tx, batch) => async () => entitlements.forget(batch.organizationId) });
  const closer = new BillingCloseService(db, catalog, logger);
  closer.onIssued((tx, invoiceIds) => statements.issued(tx, invoiceIds));
  const billing = new BillingService(db, closer, invoices, collector, logger);
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
    apiKeyUsage,
    organizations,
    organizationSettings: new OrganizationSettingsService(db, outbound, config.sms !== undefined),
    metrics: new MetricService(db),
    plans: new PlanService(db),
    usageIngest,
    usageQuery,
    usageLive: new UsageLiveHub(bus, usageQuery, logger, { reports: metrics.liveReports, messages: metrics.liveMessages }),
    invoices,
    invoiceExport: new InvoiceExportService(db),
    subscriptions,
    planChangeRequests: new PlanChangeRequestService(db, subscriptions, alertRaiser),
    entitlements,
    spendControls: new SpendControlService(db, (organizationId) => entitlements.announce(organizationId)),
    credits: new CreditService(db),
    payments,
    paymentMethods: stripe && payments ? new PaymentMethodService(db, stripe.client, payments) : null,
    billing,
    alerts: new AlertService(db),
    alertRules,
    alertDelivery,
    /** Null without SMTP: no statement is queued or sent. */
    statementDelivery,
    alertLive: new AlertLiveHub(alertBus, db, logger),
    webhooks: new WebhookService(db, outbound, () => webhookDelivery.kick()),
    webhookDelivery,
    costs: new CostService(db, usageQuery),
    audit,
    forecasts,
    recommendations: new RecommendationService(db, catalog, forecasts),
    estimates: new EstimateService(db, catalog),
    /** Where this server is reached, for links such as invoice PDFs; set once it listens. */
    links: { baseUrl: '' },
  };
}

export type Services = ReturnType<typeof createServices>;
