import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/role';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { assertId, CommonError, CommonErrorReason } from '../../common/errors/common-error';
import type { PageSize } from '../../common/graphql/pagination';
import type { AlertRaiser } from '../alert/alert-raiser';
import { AlertKind, AlertSeverity } from '../alert/alert-severity';
import { loadTenantScope } from '../organization/tenant-scope';
import { Plan } from '../plan/plan.entity';
import { PlatformEventType } from '../webhook/platform-event-type';
import { recordPlatformEvents } from '../webhook/platform-events';
import { PlanChangeRequest, PlanChangeRequestStatus } from './plan-change-request.entity';
import type { PlanSubscription } from './plan-subscription.entity';
import { SubscriptionError, SubscriptionErrorReason } from './subscription.error';
import type { SubscriptionService } from './subscription.service';

/** A step of a plan-change request, as both sides are told of it. */
export interface PlanChangeEvent {
  type: PlatformEventType.PLAN_CHANGE_REQUESTED | PlatformEventType.PLAN_CHANGE_DECIDED;
  request: PlanChangeRequest;
  /** The plan asked for. */
  plan: Plan;
  /** On the organisation's clock. */
  at: Date;
  /** Pending requests this one replaced (now CANCELED). */
  replaced?: string[];
  /** What an approval did, in words: applied at once, or from the period's end. */
  effect?: string;
}

/** Where the tenant side of an event is told: the organisation's alerts (in app, email to billing contacts, its webhook). */
export type PlanChangeAlerts = Pick<AlertRaiser, 'insert' | 'announce'>;

const MAX_REASON = 1000;
/** Pages of `planChangeRequests`. */
export const PLAN_CHANGE_REQUEST_PAGE: PageSize = { default: 100, max: 500 };

function alertMessage(event: PlanChangeEvent): string {
  const plan = `the ${event.plan.name} plan (${event.plan.code})`;
  switch (event.request.status) {
    case PlanChangeRequestStatus.PENDING:
      return `A change to ${plan} was requested; it waits for the platform's decision`;
    case PlanChangeRequestStatus.APPROVED:
      return `The change to ${plan} was approved: ${event.effect ?? 'applied'}`;
    default:
      return `The change to ${plan} was rejected${event.request.reason ? `: ${event.request.reason}` : ''}`;
  }
}

/**
 * Plan changes by request (seed 003: a tenant admin requests, a platform admin decides). A request is checked as
 * changePlan would check the change; approving applies it through the same call, in the same transaction as the
 * decision. Each step locks the organisation first, so that a request and a decision of one organisation queue.
 */
export class PlanChangeRequestService {
  constructor(
    private readonly db: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly alerts: PlanChangeAlerts,
  ) {}

  /** A tenant admin asks for `planCode`; a pending request of its organisation is replaced (CANCELED). */
  async request(principal: Principal, organizationIdInput: string, planCode: string): Promise<PlanChangeRequest> {
    const organizationId = authorizeTenant(principal, Permission.REQUEST_PLAN_CHANGE, organizationIdInput);
    if (principal.role !== Role.TENANT_ADMIN) {
      throw new SubscriptionError(
        SubscriptionErrorReason.TENANT_ADMIN_ONLY,
        "A plan change is requested by the organisation's tenant admin; a platform admin changes the plan with changePlan",
      );
    }
    const messages: string[] = [];
    const request = await this.db.transaction(async (tx) => {
      const { current, target, now } = await this.subscriptions.prepareChange(tx, organizationId, planCode);
      const repo = tx.getRepository(PlanChangeRequest);
      const replaced = await repo.find({ where: { organizationId, status: PlanChangeRequestStatus.PENDING }, select: { id: true } });
      if (replaced.length > 0) {
        await repo.update(
          { organizationId, status: PlanChangeRequestStatus.PENDING },
          { status: PlanChangeRequestStatus.CANCELED, decidedAt: now, decidedBy: principal.apiKeyId },
        );
      }
      const created = repo.create({
        organizationId,
        planId: target.id,
        fromPlanId: current.id,
        status: PlanChangeRequestStatus.PENDING,
        requestedBy: principal.apiKeyId,
        requestedAt: now,
        decidedBy: null,
        decidedAt: null,
        reason: null,
      });
      await repo.insert(created);
      const event = {
        type: PlatformEventType.PLAN_CHANGE_REQUESTED as const,
        request: created,
        plan: target,
        at: now,
        replaced: replaced.map((r) => r.id),
      };
      messages.push(...(await this.recordPlanChangeEvent(tx, event)));
      return created;
    });
    await this.alerts.announce(messages);
    return request;
  }

  /** A platform admin applies a pending request exactly as changePlan would; the subscription as it now is. */
  async approve(principal: Principal, idInput: string): Promise<PlanSubscription> {
    assertCan(principal, Permission.CHANGE_PLAN);
    const messages: string[] = [];
    const { organizationId, subscription } = await this.db.transaction(async (tx) => {
      const { request, plan, now } = await this.lockPending(tx, idInput);
      const subscription = await this.subscriptions.changePlanIn(tx, principal, request.organizationId, plan.code);
      await this.decide(tx, request, PlanChangeRequestStatus.APPROVED, principal, now, null);
      const effect =
        subscription.pendingPlanId === plan.id
          ? `it takes effect when the current period ends, ${subscription.currentPeriodEnd.toISOString().slice(0, 10)}`
          : 'it applies now';
      messages.push(
        ...(await this.recordPlanChangeEvent(tx, { type: PlatformEventType.PLAN_CHANGE_DECIDED, request, plan, at: now, effect })),
      );
      return { organizationId: request.organizationId, subscription };
    });
    await this.alerts.announce(messages);
    return this.subscriptions.changed(organizationId, subscription);
  }

  /** A platform admin refuses a pending request; `reason` (at most 1,000 characters) is shown to the organisation. */
  async reject(principal: Principal, idInput: string, reasonInput: string | null): Promise<PlanChangeRequest> {
    assertCan(principal, Permission.CHANGE_PLAN);
    const reason = reasonInput?.trim() || null;
    if (reason && reason.length > MAX_REASON) {
      throw new SubscriptionError(SubscriptionErrorReason.INVALID_REASON, `reason must be at most ${MAX_REASON} characters`);
    }
    const messages: string[] = [];
    const request = await this.db.transaction(async (tx) => {
      const { request, plan, now } = await this.lockPending(tx, idInput);
      await this.decide(tx, request, PlanChangeRequestStatus.REJECTED, principal, now, reason);
      messages.push(...(await this.recordPlanChangeEvent(tx, { type: PlatformEventType.PLAN_CHANGE_DECIDED, request, plan, at: now })));
      return request;
    });
    await this.alerts.announce(messages);
    return request;
  }

  /**
   * Requests newest first, at most `first` (1 to 500, default 100). Platform admins: one organisation's, or every
   * organisation's without one; tenant roles: their own organisation's.
   */
  async list(
    principal: Principal,
    organizationIdInput: string | null,
    status: PlanChangeRequestStatus | null,
    first = PLAN_CHANGE_REQUEST_PAGE.default,
  ): Promise<PlanChangeRequest[]> {
    if (!Number.isInteger(first) || first < 1 || first > PLAN_CHANGE_REQUEST_PAGE.max) {
      throw new CommonError(CommonErrorReason.INVALID_PAGE_SIZE, `first must be 1 to ${PLAN_CHANGE_REQUEST_PAGE.max}`);
    }
    let organizationId: string | null;
    if (organizationIdInput) organizationId = authorizeTenant(principal, Permission.VIEW_ORGANIZATION, organizationIdInput);
    else {
      assertCan(principal, Permission.VIEW_ORGANIZATION);
      organizationId = isPlatformAdmin(principal) ? null : principal.organizationId;
    }
    return this.db.getRepository(PlanChangeRequest).find({
      where: { ...(organizationId ? { organizationId } : {}), ...(status ? { status } : {}) },
      order: { requestedAt: 'DESC', createdAt: 'DESC', id: 'DESC' },
      take: first,
    });
  }

  /**
   * Records a step of a request in the transaction that takes it, and returns the alert messages to announce once
   * committed. The organisation's side is its alert (in app, email to its billing contacts, its alert webhook); the
   * platform's `plan_change.requested` / `plan_change.decided` event is written here too, beside it, when platform
   * events exist.
   */
  private async recordPlanChangeEvent(tx: EntityManager, event: PlanChangeEvent): Promise<string[]> {
    const { request } = event;
    await recordPlatformEvents(tx, [
      {
        organizationId: request.organizationId,
        type: event.type,
        data: {
          request: {
            id: request.id,
            status: request.status,
            plan: { id: event.plan.id, code: event.plan.code, name: event.plan.name },
            requestedAt: request.requestedAt.toISOString(),
            decidedAt: request.decidedAt?.toISOString() ?? null,
            reason: request.reason,
          },
          ...(event.replaced?.length && { replaced: event.replaced }),
          ...(event.effect && { effect: event.effect }),
        },
      },
    ]);
    return this.alerts.insert(tx, [
      {
        organizationId: request.organizationId,
        at: event.at,
        ruleId: null,
        dedupKey: `plan-change:${request.id}:${request.status.toLowerCase()}`,
        kind: AlertKind.PLAN_CHANGE,
        severity: AlertSeverity.INFO,
        metricCode: null,
        threshold: '0',
        value: '0',
        message: alertMessage(event),
        channels: ['in_app', 'email', 'webhook'],
      },
    ]);
  }

  /**
   * The request, locked, once its organisation is: the order every step takes, so none waits on another in a circle.
   * Refused unless PENDING.
   */
  private async lockPending(tx: EntityManager, idInput: string): Promise<{ request: PlanChangeRequest; plan: Plan; now: Date }> {
    const id = assertId(idInput, 'request id');
    const repo = tx.getRepository(PlanChangeRequest);
    const found = await repo.findOne({ where: { id }, select: { id: true, organizationId: true } });
    if (!found) throw new SubscriptionError(SubscriptionErrorReason.REQUEST_NOT_FOUND, `Plan-change request ${id} does not exist`);
    const { now } = await loadTenantScope(tx, found.organizationId, { lock: true });
    const request = await repo.findOneOrFail({ where: { id, organizationId: found.organizationId }, lock: { mode: 'pessimistic_write' } });
    if (request.status !== PlanChangeRequestStatus.PENDING) {
      throw new SubscriptionError(
        SubscriptionErrorReason.REQUEST_NOT_PENDING,
        `Plan-change request ${id} is ${request.status}: only a PENDING request is approved or rejected`,
      );
    }
    const plan = await tx.getRepository(Plan).findOneByOrFail({ id: request.planId });
    return { request, plan, now };
  }

  private async decide(
    tx: EntityManager,
    request: PlanChangeRequest,
    status: PlanChangeRequestStatus,
    principal: Principal,
    now: Date,
    reason: string | null,
  ): Promise<void> {
    Object.assign(request, { status, decidedAt: now, decidedBy: principal.apiKeyId, reason });
    await tx
      .getRepository(PlanChangeRequest)
      .update(
        { id: request.id, organizationId: request.organizationId },
        { status, decidedAt: now, decidedBy: principal.apiKeyId, reason },
      );
  }
}
