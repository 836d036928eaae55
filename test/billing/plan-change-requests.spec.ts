import {
  AdvanceTestClockDocument,
  AlertsDocument,
  ApprovePlanChangeRequestDocument,
  AuditLogDocument,
  ChangePlanDocument,
  CreateOrganizationDocument,
  CreatePlanWithTermsDocument,
  InvoicesWithKindDocument,
  OrganizationDocument,
  PlanChangeRequestsDocument,
  RejectPlanChangeRequestDocument,
  RequestPlanChangeDocument,
  SetBillingContactDocument,
  type CreatePlanInput,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import type { GraphQLClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Seed 003: a tenant admin requests a plan change, a platform admin approves or rejects it, a billing contact may not. */
describe('plan-change requests', () => {
  let t: TestServer;
  const CLOCK = '2026-03-16T00:00:00Z';

  const plan = (code: string, basePrice: string, extra: Partial<CreatePlanInput> = {}): CreatePlanInput => ({
    code,
    name: code.replace('pcr_', '').replace(/^./, (c) => c.toUpperCase()),
    currency: 'USD',
    basePrice,
    charges: [],
    ...extra,
  });

  /** An organisation on `planCode` at CLOCK, with a client per tenant role. */
  async function tenantOn(planCode: string) {
    const { createOrganization } = await t.admin.data(CreateOrganizationDocument, {
      input: { name: `${planCode} customer`, planCode, testClock: CLOCK },
    });
    const id = createOrganization.id;
    const [tenantAdmin, billingContact, member] = await Promise.all(
      (['TENANT_ADMIN', 'BILLING_CONTACT', 'MEMBER'] as const).map(async (role) => t.client(await createApiKey(t.admin, id, role))),
    );
    return { id, tenantAdmin: tenantAdmin!, billingContact: billingContact!, member: member! };
  }

  /** The first error's code and reason. */
  const refusal = async (res: Promise<{ errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }>) => {
    const error = (await res).errors?.[0];
    return [error?.extensions?.code, error?.extensions?.reason];
  };
  const request = (client: GraphQLClient, organizationId: string, planCode: string) =>
    client.request(RequestPlanChangeDocument, { input: { organizationId, planCode } });
  const requested = async (client: GraphQLClient, organizationId: string, planCode: string) =>
    (await client.data(RequestPlanChangeDocument, { input: { organizationId, planCode } })).requestPlanChange;
  const planOf = async (organizationId: string) =>
    (await t.admin.data(OrganizationDocument, { id: organizationId })).organization?.subscription;
  const planChangeAlerts = async (organizationId: string) =>
    (await t.admin.data(AlertsDocument, { organizationId, first: 20 })).alerts.edges
      .map((e) => e.node)
      .filter((a) => a.kind === 'plan_change')
      .map((a) => a.message)
      .reverse();

  beforeAll(async () => {
    t = await startTestServer();
    for (const input of [
      plan('pcr_basic', '29'),
      plan('pcr_team', '99'),
      plan('pcr_lite', '9'),
      plan('pcr_self', '19', { planChangePolicy: 'SELF_SERVE' }),
      plan('pcr_self_plus', '49', { planChangePolicy: 'SELF_SERVE' }),
      plan('pcr_euro', '50', { currency: 'EUR' }),
    ]) {
      await t.admin.data(CreatePlanWithTermsDocument, { input });
    }
  });
  afterAll(() => t.close());

  it('a request is approved: applied as changePlan applies it, the same invoice as a direct change, both sides told, audited', async () => {
    const a = await tenantOn('pcr_basic');
    const twin = await tenantOn('pcr_basic');
    await t.admin.data(SetBillingContactDocument, { organizationId: a.id, email: 'billing@a.example' });

    const pending = await requested(a.tenantAdmin, a.id, 'pcr_team');
    expect(pending).toMatchObject({
      organizationId: a.id,
      status: 'PENDING',
      requestedAt: '2026-03-16T00:00:00.000Z',
      decidedAt: null,
      plan: { code: 'pcr_team', baseFeeTiming: 'IN_ARREARS', planChangePolicy: 'BY_REQUEST' },
      fromPlan: { code: 'pcr_basic' },
    });
    expect((await planOf(a.id))?.plan.code).toBe('pcr_basic');

    const { approvePlanChangeRequest } = await t.admin.data(ApprovePlanChangeRequestDocument, { id: pending.id });
    expect(approvePlanChangeRequest).toMatchObject({ plan: { code: 'pcr_team' }, pendingPlan: null });
    await t.admin.data(ChangePlanDocument, { input: { organizationId: twin.id, planCode: 'pcr_team' } });

    const [decided] = (await a.tenantAdmin.data(PlanChangeRequestsDocument, {})).planChangeRequests;
    expect(decided).toMatchObject({ id: pending.id, status: 'APPROVED', decidedAt: '2026-03-16T00:00:00.000Z', reason: null });

    // Both closed on April 1st: 29 for March, −29 × 16/31 = −14.97, 99 × 16/31 = 51.10, for both.
    const invoiceLines = async (organizationId: string) => {
      await t.admin.data(AdvanceTestClockDocument, { organizationId, to: '2026-04-01T12:00:00Z' });
      const { invoices } = await t.admin.data(InvoicesWithKindDocument, { organizationId });
      return invoices.edges.map((e) => e.node.lines.map((l) => [l.description, l.amount.amount]));
    };
    const expected = [
      [
        ['Basic plan', '29.00'],
        ['Unused Basic plan, 2026-03-16 to 2026-03-31', '-14.97'],
        ['Team plan, 2026-03-16 to 2026-03-31', '51.10'],
      ],
    ];
    expect(await invoiceLines(a.id)).toEqual(expected);
    expect(await invoiceLines(twin.id)).toEqual(expected);

    expect(await planChangeAlerts(a.id)).toEqual([
      "A change to the Team plan (pcr_team) was requested; it waits for the platform's decision",
      'The change to the Team plan (pcr_team) was approved: it applies now',
    ]);
    const emails = await t.db.query(
      `SELECT d.target FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.organization_id = $1 AND a.kind = 'plan_change' AND d.channel = 'email'`,
      [a.id],
    );
    expect(emails).toEqual([{ target: 'billing@a.example' }, { target: 'billing@a.example' }]);
    const { auditLog } = await t.admin.data(AuditLogDocument, { organizationId: a.id, first: 20 });
    expect(
      auditLog.edges
        .map((e) => [e.node.operation, e.node.role])
        .filter(([op]) => op !== 'createApiKey' && op !== 'createOrganization' && op !== 'setBillingContact' && op !== 'advanceTestClock')
        .reverse(),
    ).toEqual([
      ['requestPlanChange', 'TENANT_ADMIN'],
      ['approvePlanChangeRequest', 'PLATFORM_ADMIN'],
    ]);
  });

  it('an approved downgrade waits for the period end, as changePlan’s does', async () => {
    const a = await tenantOn('pcr_team');
    const { id } = await requested(a.tenantAdmin, a.id, 'pcr_lite');
    const { approvePlanChangeRequest } = await t.admin.data(ApprovePlanChangeRequestDocument, { id });
    expect(approvePlanChangeRequest).toMatchObject({ plan: { code: 'pcr_team' }, pendingPlan: { code: 'pcr_lite' } });
    expect((await planChangeAlerts(a.id)).at(-1)).toBe(
      'The change to the Lite plan (pcr_lite) was approved: it takes effect when the current period ends, 2026-04-01',
    );
  });

  it('a request is rejected with a reason; a new request replaces a pending one; a decided one cannot be decided again', async () => {
    const a = await tenantOn('pcr_basic');
    const first = await requested(a.tenantAdmin, a.id, 'pcr_team');
    const second = await requested(a.tenantAdmin, a.id, 'pcr_lite');
    const listed = (await a.tenantAdmin.data(PlanChangeRequestsDocument, { organizationId: a.id })).planChangeRequests;
    expect(listed.map((r) => [r.id, r.status, r.plan.code])).toEqual([
      [second.id, 'PENDING', 'pcr_lite'],
      [first.id, 'CANCELED', 'pcr_team'],
    ]);
    expect(listed[1]!.decidedAt).toBe('2026-03-16T00:00:00.000Z');

    const { rejectPlanChangeRequest } = await t.admin.data(RejectPlanChangeRequestDocument, {
      id: second.id,
      reason: '  Lite has no SSO; talk to sales  ',
    });
    expect(rejectPlanChangeRequest).toMatchObject({ status: 'REJECTED', reason: 'Lite has no SSO; talk to sales' });
    expect((await planOf(a.id))?.plan.code).toBe('pcr_basic');
    expect((await planChangeAlerts(a.id)).at(-1)).toBe(
      'The change to the Lite plan (pcr_lite) was rejected: Lite has no SSO; talk to sales',
    );

    for (const id of [first.id, second.id]) {
      expect(await refusal(t.admin.request(ApprovePlanChangeRequestDocument, { id }))).toEqual(['BAD_USER_INPUT', 'REQUEST_NOT_PENDING']);
      expect(await refusal(t.admin.request(RejectPlanChangeRequestDocument, { id }))).toEqual(['BAD_USER_INPUT', 'REQUEST_NOT_PENDING']);
    }
    const { id: third } = await requested(a.tenantAdmin, a.id, 'pcr_team');
    await t.admin.data(ApprovePlanChangeRequestDocument, { id: third });
    expect(await refusal(t.admin.request(ApprovePlanChangeRequestDocument, { id: third }))).toEqual([
      'BAD_USER_INPUT',
      'REQUEST_NOT_PENDING',
    ]);
    expect(await refusal(t.admin.request(RejectPlanChangeRequestDocument, { id: third }))).toEqual([
      'BAD_USER_INPUT',
      'REQUEST_NOT_PENDING',
    ]);

    const mine = await a.tenantAdmin.data(PlanChangeRequestsDocument, { status: 'REJECTED' });
    expect(mine.planChangeRequests.map((r) => r.id)).toEqual([second.id]);
    const all = await t.admin.data(PlanChangeRequestsDocument, { status: 'APPROVED', first: 500 });
    expect(all.planChangeRequests.map((r) => r.id)).toContain(third);
  });

  it('only the tenant admin of the organisation requests; only a platform admin decides', async () => {
    const a = await tenantOn('pcr_basic');
    expect((await refusal(request(a.billingContact, a.id, 'pcr_team')))[0]).toBe('FORBIDDEN');
    expect((await refusal(request(a.member, a.id, 'pcr_team')))[0]).toBe('FORBIDDEN');
    expect(await refusal(request(t.admin, a.id, 'pcr_team'))).toEqual(['FORBIDDEN', 'TENANT_ADMIN_ONLY']);
    const { id } = await requested(a.tenantAdmin, a.id, 'pcr_team');
    for (const client of [a.tenantAdmin, a.billingContact, a.member]) {
      expect((await refusal(client.request(ApprovePlanChangeRequestDocument, { id })))[0]).toBe('FORBIDDEN');
      expect((await refusal(client.request(RejectPlanChangeRequestDocument, { id })))[0]).toBe('FORBIDDEN');
    }
    // The billing contact and the member see their organisation's requests; nobody of another organisation does.
    expect((await a.billingContact.data(PlanChangeRequestsDocument, {})).planChangeRequests.map((r) => r.id)).toEqual([id]);
    const other = await tenantOn('pcr_basic');
    expect(await refusal(other.tenantAdmin.request(PlanChangeRequestsDocument, { organizationId: a.id }))).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
    ]);
    expect((await other.member.data(PlanChangeRequestsDocument, {})).planChangeRequests).toEqual([]);
    expect((await refusal(request(other.tenantAdmin, a.id, 'pcr_team')))[0]).toBe('FORBIDDEN');
  });

  it('refuses what changePlan refuses, and bad ids, reasons and page sizes, writing nothing', async () => {
    const a = await tenantOn('pcr_basic');
    const other = await tenantOn('pcr_basic');
    await t.admin.data(CreatePlanWithTermsDocument, { input: plan('pcr_custom_other', '5', { organizationId: other.id }) });
    const cases: Array<[string, string]> = [
      ['no_such_plan', 'UNKNOWN_PLAN'],
      ['pcr_custom_other', 'UNKNOWN_PLAN'],
      ['pcr_basic', 'SAME_PLAN'],
      ['pcr_euro', 'CURRENCY_MISMATCH'],
    ];
    for (const [planCode, reason] of cases) {
      expect(await refusal(request(a.tenantAdmin, a.id, planCode))).toEqual(['BAD_USER_INPUT', reason]);
    }
    expect(await refusal(request(a.tenantAdmin, 'not-an-id', 'pcr_team'))).toEqual(['BAD_USER_INPUT', 'INVALID_ID']);
    expect((await t.admin.data(PlanChangeRequestsDocument, { organizationId: a.id })).planChangeRequests).toEqual([]);

    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await refusal(t.admin.request(ApprovePlanChangeRequestDocument, { id: missing }))).toEqual(['NOT_FOUND', 'REQUEST_NOT_FOUND']);
    expect(await refusal(t.admin.request(RejectPlanChangeRequestDocument, { id: 'nope' }))).toEqual(['BAD_USER_INPUT', 'INVALID_ID']);
    const { id } = await requested(a.tenantAdmin, a.id, 'pcr_team');
    expect(await refusal(t.admin.request(RejectPlanChangeRequestDocument, { id, reason: 'x'.repeat(1001) }))).toEqual([
      'BAD_USER_INPUT',
      'INVALID_REASON',
    ]);
    for (const first of [0, 501]) {
      expect(await refusal(t.admin.request(PlanChangeRequestsDocument, { first }))).toEqual(['BAD_USER_INPUT', 'INVALID_PAGE_SIZE']);
    }
    expect((await t.admin.data(PlanChangeRequestsDocument, { organizationId: a.id })).planChangeRequests).toMatchObject([
      { id, status: 'PENDING' },
    ]);
  });

  it('a tenant admin changes plan itself only between SELF_SERVE plans; otherwise it is told to request', async () => {
    const byRequest = await tenantOn('pcr_basic');
    expect(
      await refusal(byRequest.tenantAdmin.request(ChangePlanDocument, { input: { organizationId: byRequest.id, planCode: 'pcr_team' } })),
    ).toEqual(['FORBIDDEN', 'CHANGE_BY_REQUEST']);
    const selfServe = await tenantOn('pcr_self');
    expect(
      await refusal(selfServe.tenantAdmin.request(ChangePlanDocument, { input: { organizationId: selfServe.id, planCode: 'pcr_team' } })),
    ).toEqual(['FORBIDDEN', 'CHANGE_BY_REQUEST']);
    const byContact = { input: { organizationId: selfServe.id, planCode: 'pcr_self_plus' } };
    expect((await refusal(selfServe.billingContact.request(ChangePlanDocument, byContact)))[0]).toBe('FORBIDDEN');
    const { changePlan } = await selfServe.tenantAdmin.data(ChangePlanDocument, {
      input: { organizationId: selfServe.id, planCode: 'pcr_self_plus' },
    });
    expect(changePlan).toMatchObject({ plan: { code: 'pcr_self_plus' }, pendingPlan: null });
    const intoAnother = { input: { organizationId: byRequest.id, planCode: 'pcr_team' } };
    expect((await refusal(selfServe.tenantAdmin.request(ChangePlanDocument, intoAnother)))[0]).toBe('FORBIDDEN');
  });
});
