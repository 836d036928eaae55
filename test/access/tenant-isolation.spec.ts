import { buildAppSchema } from '../../src/app/build-schema';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateMetricDocument,
  CreateOrganizationDocument,
  CreatePlanDocument,
  MetricsDocument,
  OrganizationDocument,
  PlansDocument,
  OrganizationsDocument,
  RevokeApiKeyDocument,
  AcknowledgeAlertDocument,
  AdvanceTestClockDocument,
  AuditLogDocument,
  CostBreakdownDocument,
  CostSeriesDocument,
  EstimateCostDocument,
  ForecastDocument,
  PlanRecommendationsDocument,
  UsageEventsDocument,
  AlertRulesDocument,
  AlertTriggeredDocument,
  AlertsDocument,
  CreateAlertRuleDocument,
  DeleteAlertRuleDocument,
  SetAlertSmsRecipientsDocument,
  SetAlertWebhookDocument,
  SetBillingContactDocument,
  CancelSubscriptionDocument,
  ChangePlanDocument,
  CloseAccountDocument,
  CloseBillingPeriodDocument,
  CreatePaymentSetupDocument,
  CreatePaymentSetupForDocument,
  DetachPaymentMethodDocument,
  PaymentMethodsDocument,
  SetDefaultPaymentMethodDocument,
  EntitlementCheckDocument,
  EntitlementsDocument,
  RemoveFeatureOverrideDocument,
  SetFeatureOverrideDocument,
  SetSpendControlsDocument,
  SpendControlsDocument,
  GrantCreditsDocument,
  InvoiceDocument,
  InvoicesDocument,
  MarkInvoicePaidDocument,
  MarkInvoiceUncollectibleDocument,
  VoidInvoiceDocument,
  RecordUsageDocument,
  UsageDocument,
  UsageSeriesDocument,
  UsageUpdatedDocument,
  ViewerDocument,
  WebhookEndpointsDocument,
  WebhookDeliveriesDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  EnableWebhookEndpointDocument,
  RedeliverWebhookDocument,
  ApprovePlanChangeRequestDocument,
  PlanChangeRequestsDocument,
  RejectPlanChangeRequestDocument,
  RequestPlanChangeDocument,
} from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import type { GraphQLClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { openWsClient, wsRequest, wsSubscribe } from '../helpers/ws-client';

type Tenant = Awaited<ReturnType<typeof createTenant>> & {
  planCode: string;
  metricCode: string;
  invoiceId: string;
  alertId: string;
  ruleId: string;
  requestId: string;
  otherPlanCode: string;
};
/** A key of organisation A, over HTTP and over graphql-ws. */
interface Caller {
  http: GraphQLClient;
  wsUrl: string;
  key: string;
}

/**
 * For every root operation of the schema: what a key of organisation A gets
 * when it reaches for organisation B. The first test fails when an operation
 * is added without a case here.
 */
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

const CASES: Record<string, (caller: Caller, b: Tenant) => Promise<void>> = {
  'Query.viewer': async ({ http: a }, b) => {
    const { viewer } = await a.data(ViewerDocument);
    expect(viewer.organization?.id).toBeDefined();
    expect(viewer.organization?.id).not.toBe(b.organization.id);
  },
  'Query.organization': async ({ http: a }, b) => {
    expect(await a.errorCode(OrganizationDocument, { id: b.organization.id })).toBe('FORBIDDEN');
  },
  // The catalog is the platform's price list, shared by every tenant; it holds no tenant data.
  'Query.plans': async ({ http: a }) => {
    expect((await a.data(PlansDocument)).plans.length).toBeGreaterThan(0);
  },
  'Query.metrics': async ({ http: a }) => {
    expect((await a.data(MetricsDocument)).metrics.length).toBeGreaterThan(0);
  },
  'Mutation.createOrganization': async ({ http: a }, b) => {
    expect(await a.errorCode(CreateOrganizationDocument, { input: { name: 'x', planCode: b.planCode } })).toBe('FORBIDDEN');
  },
  'Mutation.createApiKey': async ({ http: a }, b) => {
    const code = await a.errorCode(CreateApiKeyDocument, {
      input: { organizationId: b.organization.id, role: 'MEMBER', name: 'intruder' },
    });
    expect(code).toBe('FORBIDDEN');
  },
  'Query.apiKeys': async ({ http: a }, b) => {
    expect(await a.errorCode(ApiKeysDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Mutation.revokeApiKey': async ({ http: a }, b) => {
    const { apiKeys } = await a.withKey(b.keys.tenantAdmin).data(ApiKeysDocument, {});
    // As for invoices: another tenant's key is answered as if it did not exist (only admins may manage keys at all).
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(await a.errorCode(RevokeApiKeyDocument, { id: apiKeys[0]!.id }));
    expect((await a.withKey(b.keys.tenantAdmin).data(ApiKeysDocument, {})).apiKeys.every((k) => k.revokedAt === null)).toBe(true);
  },
  // Every organisation's name and id: the platform's operators only.
  'Query.organizations': async ({ http: a }) => {
    expect(await a.errorCode(OrganizationsDocument, { first: 10 })).toBe('FORBIDDEN');
  },
  'Mutation.createMetric': async ({ http: a }) => {
    expect(await a.errorCode(CreateMetricDocument, { input: { code: 'intruder', unit: 'x', aggregation: 'SUM' } })).toBe('FORBIDDEN');
  },
  'Mutation.createPlan': async ({ http: a }) => {
    const input = { code: 'intruder', name: 'x', currency: 'USD', basePrice: '0', charges: [] };
    expect(await a.errorCode(CreatePlanDocument, { input })).toBe('FORBIDDEN');
  },
  'Mutation.recordUsage': async ({ http: a }, b) => {
    const input = { organizationId: b.organization.id, events: [{ id: 'intruder', metric: b.metricCode }] };
    expect(await a.errorCode(RecordUsageDocument, { input })).toBe('FORBIDDEN');
  },
  'Query.usage': async ({ http: a }, b) => {
    expect(await a.errorCode(UsageDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Query.usageSeries': async ({ http: a }, b) => {
    const vars = { organizationId: b.organization.id, metric: b.metricCode, granularity: 'DAY' as const };
    expect(await a.errorCode(UsageSeriesDocument, vars)).toBe('FORBIDDEN');
  },
  'Subscription.usageUpdated': async ({ wsUrl, key }, b) => {
    const ws = openWsClient(wsUrl, key);
    try {
      const sub = wsSubscribe(ws, UsageUpdatedDocument, { organizationId: b.organization.id });
      const first = await sub.next();
      expect(first.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(first.data ?? null).toBeNull();
    } finally {
      await ws.dispose();
    }
  },
  'Query.invoices': async ({ http: a }, b) => {
    expect(await a.errorCode(InvoicesDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Query.invoice': async ({ http: a }, b) => {
    // Not FORBIDDEN: an invoice id of another tenant is answered as if it did not exist (members may not read invoices at all).
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(await a.errorCode(InvoiceDocument, { id: b.invoiceId }));
  },
  'Mutation.markInvoicePaid': async ({ http: a }, b) => {
    expect(await a.errorCode(MarkInvoicePaidDocument, { id: b.invoiceId })).toBe('FORBIDDEN');
  },
  'Mutation.voidInvoice': async ({ http: a }, b) => {
    expect(await a.errorCode(VoidInvoiceDocument, { id: b.invoiceId })).toBe('FORBIDDEN');
  },
  'Mutation.markInvoiceUncollectible': async ({ http: a }, b) => {
    expect(await a.errorCode(MarkInvoiceUncollectibleDocument, { id: b.invoiceId })).toBe('FORBIDDEN');
  },
  'Mutation.closeBillingPeriod': async ({ http: a }, b) => {
    expect(await a.errorCode(CloseBillingPeriodDocument, { input: { organizationId: b.organization.id } })).toBe('FORBIDDEN');
  },
  'Mutation.advanceTestClock': async ({ http: a }, b) => {
    expect(await a.errorCode(AdvanceTestClockDocument, { organizationId: b.organization.id, to: '2030-01-01T00:00:00Z' })).toBe(
      'FORBIDDEN',
    );
  },
  'Mutation.changePlan': async ({ http: a }, b) => {
    expect(await a.errorCode(ChangePlanDocument, { input: { organizationId: b.organization.id, planCode: b.planCode } })).toBe('FORBIDDEN');
  },
  'Mutation.requestPlanChange': async ({ http: a }, b) => {
    const input = { organizationId: b.organization.id, planCode: b.otherPlanCode };
    expect(await a.errorCode(RequestPlanChangeDocument, { input })).toBe('FORBIDDEN');
  },
  'Mutation.approvePlanChangeRequest': async ({ http: a }, b) => {
    expect(await a.errorCode(ApprovePlanChangeRequestDocument, { id: b.requestId })).toBe('FORBIDDEN');
  },
  'Mutation.rejectPlanChangeRequest': async ({ http: a }, b) => {
    expect(await a.errorCode(RejectPlanChangeRequestDocument, { id: b.requestId, reason: 'no' })).toBe('FORBIDDEN');
  },
  'Query.planChangeRequests': async ({ http: a }, b) => {
    expect(await a.errorCode(PlanChangeRequestsDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
    // Without an organisation, a tenant key reads its own organisation's requests only.
    const { planChangeRequests } = await a.data(PlanChangeRequestsDocument, {});
    expect(planChangeRequests.map((r) => r.organizationId)).not.toContain(b.organization.id);
  },
  'Mutation.cancelSubscription': async ({ http: a }, b) => {
    expect(await a.errorCode(CancelSubscriptionDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Mutation.closeAccount': async ({ http: a }, b) => {
    expect(await a.errorCode(CloseAccountDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Mutation.createAlertRule': async ({ http: a }, b) => {
    expect(
      await a.errorCode(CreateAlertRuleDocument, { input: { organizationId: b.organization.id, thresholdPercent: 10, severity: 'INFO' } }),
    ).toBe('FORBIDDEN');
  },
  'Mutation.deleteAlertRule': async ({ http: a }, b) => {
    // As for invoices: another tenant's id is answered as if it did not exist (members may not manage alerts at all).
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(await a.errorCode(DeleteAlertRuleDocument, { id: b.ruleId }));
  },
  'Query.alertRules': async ({ http: a }, b) => {
    expect(await a.errorCode(AlertRulesDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Query.alerts': async ({ http: a }, b) => {
    expect(await a.errorCode(AlertsDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Mutation.acknowledgeAlert': async ({ http: a }, b) => {
    // As for invoices: another tenant's id is answered as if it did not exist (members may not manage alerts at all).
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(await a.errorCode(AcknowledgeAlertDocument, { id: b.alertId }));
  },
  'Mutation.setAlertWebhook': async ({ http: a }, b) => {
    expect(await a.errorCode(SetAlertWebhookDocument, { organizationId: b.organization.id, url: 'https://evil.example' })).toBe(
      'FORBIDDEN',
    );
  },
  'Mutation.setAlertSmsRecipients': async ({ http: a }, b) => {
    expect(await a.errorCode(SetAlertSmsRecipientsDocument, { organizationId: b.organization.id, phoneNumbers: [] })).toBe('FORBIDDEN');
  },
  'Mutation.setBillingContact': async ({ http: a }, b) => {
    expect(await a.errorCode(SetBillingContactDocument, { organizationId: b.organization.id, email: 'evil@example.com' })).toBe(
      'FORBIDDEN',
    );
  },
  'Subscription.alertTriggered': async ({ wsUrl, key }, b) => {
    const ws = openWsClient(wsUrl, key);
    try {
      const first = await wsSubscribe(ws, AlertTriggeredDocument, { organizationId: b.organization.id }).next();
      expect(first.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await ws.dispose();
    }
  },
  'Query.costBreakdown': async ({ http: a }, b) => {
    expect(await a.errorCode(CostBreakdownDocument, { organizationId: b.organization.id, groupBy: ['team'] })).toBe('FORBIDDEN');
  },
  'Query.costSeries': async ({ http: a }, b) => {
    expect(await a.errorCode(CostSeriesDocument, { organizationId: b.organization.id, groupBy: ['team'] })).toBe('FORBIDDEN');
  },
  'Query.forecast': async ({ http: a }, b) => {
    expect(await a.errorCode(ForecastDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Query.planRecommendations': async ({ http: a }, b) => {
    expect(await a.errorCode(PlanRecommendationsDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  // The catalog is public to every key: an estimate reads no organisation's data.
  'Query.estimateCost': async ({ http: a }, b) => {
    const { estimateCost } = await a.data(EstimateCostDocument, { planCode: b.planCode, usage: [{ metric: b.metricCode, quantity: '5' }] });
    expect(estimateCost.plan.code).toBe(b.planCode);
  },
  'Query.auditLog': async ({ http: a }, b) => {
    expect(await a.errorCode(AuditLogDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
    expect(await a.errorCode(AuditLogDocument, {})).toBe('FORBIDDEN');
  },
  'Query.usageEvents': async ({ http: a }, b) => {
    expect(await a.errorCode(UsageEventsDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Mutation.createPaymentSetup': async ({ http: a }, b) => {
    expect(await a.errorCode(CreatePaymentSetupDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
    expect(await a.errorCode(CreatePaymentSetupForDocument, { organizationId: b.organization.id, methodType: 'US_BANK_ACCOUNT' })).toBe(
      'FORBIDDEN',
    );
  },
  'Query.paymentMethods': async ({ http: a }, b) => {
    expect(await a.errorCode(PaymentMethodsDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Mutation.detachPaymentMethod': async ({ http: a }, b) => {
    expect(await a.errorCode(DetachPaymentMethodDocument, { organizationId: b.organization.id, id: 'pm_of_b' })).toBe('FORBIDDEN');
  },
  'Mutation.setDefaultPaymentMethod': async ({ http: a }, b) => {
    expect(await a.errorCode(SetDefaultPaymentMethodDocument, { organizationId: b.organization.id, id: 'pm_of_b' })).toBe('FORBIDDEN');
  },
  'Mutation.grantCredits': async ({ http: a }, b) => {
    expect(await a.errorCode(GrantCreditsDocument, { input: { organizationId: b.organization.id, amount: '100' } })).toBe('FORBIDDEN');
  },
  'Query.entitlements': async ({ http: a }, b) => {
    expect(await a.errorCode(EntitlementsDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Query.entitlement': async ({ http: a }, b) => {
    expect(await a.errorCode(EntitlementCheckDocument, { organizationId: b.organization.id, feature: b.metricCode })).toBe('FORBIDDEN');
  },
  'Mutation.setFeatureOverride': async ({ http: a }, b) => {
    const input = { organizationId: b.organization.id, feature: 'sso', enabled: true };
    expect(await a.errorCode(SetFeatureOverrideDocument, { input })).toBe('FORBIDDEN');
  },
  'Mutation.removeFeatureOverride': async ({ http: a }, b) => {
    expect(await a.errorCode(RemoveFeatureOverrideDocument, { organizationId: b.organization.id, feature: 'sso' })).toBe('FORBIDDEN');
  },
  // Webhook endpoints are the platform's: no tenant role reaches them, whichever id it names.
  'Query.webhookEndpoints': async ({ http: a }) => {
    expect(await a.errorCode(WebhookEndpointsDocument, {})).toBe('FORBIDDEN');
  },
  'Query.webhookDeliveries': async ({ http: a }) => {
    expect(await a.errorCode(WebhookDeliveriesDocument, { endpointId: NO_SUCH_ID })).toBe('FORBIDDEN');
  },
  'Mutation.createWebhookEndpoint': async ({ http: a }) => {
    expect(await a.errorCode(CreateWebhookEndpointDocument, { url: 'https://hooks.example.com/tenant' })).toBe('FORBIDDEN');
  },
  'Mutation.deleteWebhookEndpoint': async ({ http: a }) => {
    expect(await a.errorCode(DeleteWebhookEndpointDocument, { id: NO_SUCH_ID })).toBe('FORBIDDEN');
  },
  'Mutation.enableWebhookEndpoint': async ({ http: a }) => {
    expect(await a.errorCode(EnableWebhookEndpointDocument, { id: NO_SUCH_ID })).toBe('FORBIDDEN');
  },
  'Mutation.redeliverWebhook': async ({ http: a }) => {
    expect(await a.errorCode(RedeliverWebhookDocument, { deliveryId: NO_SUCH_ID })).toBe('FORBIDDEN');
  },
  'Query.spendControls': async ({ http: a }, b) => {
    expect(await a.errorCode(SpendControlsDocument, { organizationId: b.organization.id })).toBe('FORBIDDEN');
  },
  'Mutation.setSpendControls': async ({ http: a }, b) => {
    expect(await a.errorCode(SetSpendControlsDocument, { input: { organizationId: b.organization.id, perDayLimit: '1' } })).toBe(
      'FORBIDDEN',
    );
  },
};

describe('tenant isolation', () => {
  let t: TestServer;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startTestServer();
    const { plan, metric } = await createCatalog(t.admin);
    a = {
      ...(await createTenant(t.admin, plan.code)),
      planCode: plan.code,
      metricCode: metric.code,
      invoiceId: '',
      alertId: '',
      ruleId: '',
      requestId: '',
      otherPlanCode: '',
    };
    b = {
      ...(await createTenant(t.admin, plan.code, undefined, '2026-03-10T12:00:00Z')),
      planCode: plan.code,
      metricCode: metric.code,
      invoiceId: '',
      alertId: '',
      ruleId: '',
      requestId: '',
      otherPlanCode: '',
    };
    // B has usage and an invoice, so that a leak would show.
    await t.admin.data(RecordUsageDocument, {
      input: { organizationId: b.organization.id, events: [{ id: 'b-1', metric: metric.code, quantity: '5' }] },
    });
    await t.admin.data(AdvanceTestClockDocument, { organizationId: b.organization.id, to: '2026-04-02T00:00:00Z' });
    const { invoices } = await t.admin.data(InvoicesDocument, { organizationId: b.organization.id });
    b.invoiceId = invoices.edges[0]!.node.id;
    b.ruleId = (await t.admin.data(AlertRulesDocument, { organizationId: b.organization.id })).alertRules[0]!.id;
    // The unpaid invoice went overdue: B has an alert too.
    b.alertId = (await t.admin.data(AlertsDocument, { organizationId: b.organization.id })).alerts.edges[0]!.node.id;
    // B's tenant admin asked for another plan: a pending request for others to reach for.
    b.otherPlanCode = a.otherPlanCode = (await createCatalog(t.admin)).plan.code;
    const input = { organizationId: b.organization.id, planCode: b.otherPlanCode };
    b.requestId = (await t.client(b.keys.tenantAdmin).data(RequestPlanChangeDocument, { input })).requestPlanChange.id;
  });
  afterAll(() => t.close());

  it('has a case for every root operation of the schema', () => {
    const schema = buildAppSchema();
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const operations = roots.flatMap((type) => (type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : []));
    expect(Object.keys(CASES).sort()).toEqual(operations.sort());
  });

  for (const role of ['tenantAdmin', 'billingContact', 'member'] as const) {
    describe(`a ${role} key of organisation A`, () => {
      for (const [operation, check] of Object.entries(CASES)) {
        it(`${operation} gives it nothing of organisation B`, () =>
          check({ http: t.client(a.keys[role]), wsUrl: t.server.wsUrl, key: a.keys[role] }, b));
      }
    });
  }

  it('reads its own organisation, and never B, over graphql-ws too', async () => {
    const ws = openWsClient(t.server.wsUrl, a.keys.member);
    try {
      const own = await wsRequest(ws, OrganizationDocument, { id: a.organization.id });
      expect(own.data?.organization?.id).toBe(a.organization.id);
      const other = await wsRequest(ws, OrganizationDocument, { id: b.organization.id });
      expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(other.data?.organization ?? null).toBeNull();
    } finally {
      await ws.dispose();
    }
  });
});
