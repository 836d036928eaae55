import { AlertDelivery } from '../modules/alert/alert-delivery.entity';
import { AlertRule } from '../modules/alert/alert-rule.entity';
import { Alert } from '../modules/alert/alert.entity';
import { AuditEntry } from '../modules/audit/audit-entry.entity';
import { ApiKey } from '../modules/api-key/api-key.entity';
import { Metric } from '../modules/metric/metric.entity';
import { Organization } from '../modules/organization/organization.entity';
import { Project } from '../modules/organization/project.entity';
import { Team } from '../modules/organization/team.entity';
import { User } from '../modules/organization/user.entity';
import { PlanCharge } from '../modules/plan/plan-charge.entity';
import { PlanFeature } from '../modules/plan/plan-feature.entity';
import { Plan } from '../modules/plan/plan.entity';
import { SpendControl } from '../modules/spend-control/spend-control.entity';
import { PlanSubscription } from '../modules/subscription/plan-subscription.entity';
import { CreditApplication } from '../modules/credit/credit-application.entity';
import { CreditGrant } from '../modules/credit/credit-grant.entity';
import { FeatureOverride } from '../modules/entitlement/feature-override.entity';
import { InvoiceCounter } from '../modules/invoice/invoice-counter.entity';
import { InvoiceItem } from '../modules/invoice/invoice-item.entity';
import { InvoiceLine } from '../modules/invoice/invoice-line.entity';
import { Invoice } from '../modules/invoice/invoice.entity';
import { InvoiceBankTransfer } from '../modules/payment/invoice-bank-transfer.entity';
import { StripeEvent } from '../modules/payment/stripe-event.entity';
import { StatementDelivery } from '../modules/statement/statement-delivery.entity';
import { PlanChange } from '../modules/subscription/plan-change.entity';
import { UsageDailyPeak } from '../modules/usage/usage-daily-peak.entity';
import { PlanChangeRequest } from '../modules/subscription/plan-change-request.entity';
import { UsageEventKey } from '../modules/usage/usage-event-key.entity';
import { UsagePriceTotal } from '../modules/usage/usage-price-total.entity';
import { UsageRateWindow } from '../modules/usage/usage-rate-window.entity';
import { UsageRollup } from '../modules/usage/usage-rollup.entity';
import { UsageSession } from '../modules/usage/usage-session.entity';
import { UsageTotal } from '../modules/usage/usage-total.entity';
import { UsageUniqueValue } from '../modules/usage/usage-unique-value.entity';
import { WebhookDelivery } from '../modules/webhook/webhook-delivery.entity';
import { WebhookEndpoint } from '../modules/webhook/webhook-endpoint.entity';
import { WebhookEvent } from '../modules/webhook/webhook-event.entity';

/**
 * Every mapped table; the migrations-drift test compares these against
 * migrations/. The raw, time-partitioned usage_events table is written by
 * set-based SQL only and defined in its migration.
 */
export const ENTITIES = [
  Organization,
  Team,
  Project,
  User,
  ApiKey,
  Metric,
  Plan,
  PlanCharge,
  PlanSubscription,
  UsageEventKey,
  UsageTotal,
  UsageRollup,
  UsageUniqueValue,
  UsageSession,
  UsageRateWindow,
  UsagePriceTotal,
  UsageDailyPeak,
  PlanChange,
  Invoice,
  InvoiceLine,
  InvoiceCounter,
  InvoiceItem,
  CreditGrant,
  CreditApplication,
  StripeEvent,
  InvoiceBankTransfer,
  AlertRule,
  Alert,
  AlertDelivery,
  AuditEntry,
  PlanFeature,
  FeatureOverride,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  SpendControl,
  PlanChangeRequest,
  StatementDelivery,
];
