import type { DataSource, EntityManager } from 'typeorm';
import { can, Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney } from '../../common/money/decimal';
import { periodSpan, remainingShare, type LineDraft } from '../invoice/invoice-builder';
import { issueInvoiceNow, type ImmediateInvoice } from '../invoice/invoice-issuer';
import { InvoiceItem } from '../invoice/invoice-item.entity';
import { InvoiceKind } from '../invoice/invoice-kind';
import { InvoiceLineKind } from '../invoice/invoice-line.entity';
import { Invoice } from '../invoice/invoice.entity';
import { Organization } from '../organization/organization.entity';
import { loadTenantScope } from '../organization/tenant-scope';
import { BaseFeeTiming } from '../plan/base-fee-timing';
import { availablePlans } from '../plan/plan-availability';
import { PlanChangePolicy } from '../plan/plan-change-policy';
import { Plan } from '../plan/plan.entity';
import { PlanChange, PlanChangeKind } from './plan-change.entity';
import { PlanSubscription, SubscriptionStatus } from './plan-subscription.entity';
import { SubscriptionError, SubscriptionErrorReason } from './subscription.error';
import { recordSubscriptionChanged } from './subscription-events';

/** A plan change checked as changePlan checks it, under the subscription's row lock, not applied yet. */
export interface PreparedChange {
  organization: Organization;
  subscription: PlanSubscription;
  now: Date;
  current: Plan;
  target: Plan;
}

/**
 * Plan changes: an upgrade applies at once and credits the
 * unused part of the old base fee pro rata by time; a downgrade and a
 * cancellation take effect at the period's end; closing an account stops new
 * usage and charges while what is owed stays due. Each change is recorded
 * with the key that asked for it. IN_ADVANCE plans invoice their base fee
 * when a period starts, and an upgrade's difference at once.
 */
export class SubscriptionService {
  constructor(private readonly db: DataSource) {}

  private readonly changeListeners: Array<(organizationId: string) => Promise<void>> = [];

  private readonly issuedListeners: Array<(tx: EntityManager, invoiceIds: string[]) => Promise<void>> = [];

  /** Told, in the issuing transaction, of each invoice issued outside a close (an IN_ADVANCE fee): its statement. */
  onIssued(listener: (tx: EntityManager, invoiceIds: string[]) => Promise<void>): void {
    this.issuedListeners.push(listener);
  }

  private async issueNow(tx: EntityManager, input: ImmediateInvoice): Promise<void> {
    const invoice = await issueInvoiceNow(tx, input);
    for (const listener of this.issuedListeners) await listener(tx, [invoice.id]);
  }

  /** Told after a plan change, cancellation or closing has committed (entitlements announce it to every node). */
  onChanged(listener: (organizationId: string) => Promise<void>): void {
    this.changeListeners.push(listener);
  }

  /** Tells the listeners of a change that has committed; callers applying one in their own transaction call it after. */
  async changed<T>(organizationId: string, result: T): Promise<T> {
    for (const listener of this.changeListeners) await listener(organizationId);
    return result;
  }

  /**
   * Platform admins change any organisation's plan; a tenant admin its own, when both plans are SELF_SERVE
   * (otherwise it asks with requestPlanChange).
   */
  async changePlan(principal: Principal, organizationIdInput: string, planCode: string): Promise<PlanSubscription> {
    const selfServe = !can(principal.role, Permission.CHANGE_PLAN) && can(principal.role, Permission.REQUEST_PLAN_CHANGE);
    const organizationId = authorizeTenant(
      principal,
      selfServe ? Permission.REQUEST_PLAN_CHANGE : Permission.CHANGE_PLAN,
      organizationIdInput,
    );
    const result = await this.db.transaction((tx) => this.changePlanIn(tx, principal, organizationId, planCode));
    return this.changed(organizationId, result);
  }

  /** changePlan in the caller's transaction, its access checked already (an approved request); `changed` after commit. */
  async changePlanIn(tx: EntityManager, principal: Principal, organizationId: string, planCode: string): Promise<PlanSubscription> {
    const mayChangeAny = can(principal.role, Permission.CHANGE_PLAN);
    const { organization, subscription, now, current, target } = await this.prepareChange(tx, organizationId, planCode, (plan) => {
      if (!mayChangeAny && plan.planChangePolicy !== PlanChangePolicy.SELF_SERVE) {
        throw new SubscriptionError(
          SubscriptionErrorReason.CHANGE_BY_REQUEST,
          `Plan "${plan.code}" is changed by request: ask with requestPlanChange, and a platform admin decides`,
        );
      }
    });
    const record = async (kind: PlanChangeKind, effectiveAt: Date) => {
      const { identifiers } = await tx
        .getRepository(PlanChange)
        .insert({ organizationId, kind, fromPlanId: current.id, toPlanId: target.id, effectiveAt, requestedBy: principal.apiKeyId });
      await recordSubscriptionChanged(tx, organizationId, identifiers);
    };

    if (target.id === current.id) {
      // Staying on the current plan withdraws a scheduled downgrade or cancellation.
      subscription.pendingPlanId = null;
      subscription.cancelAtPeriodEnd = false;
    } else if (new Dec(target.basePriceAmount).lessThan(current.basePriceAmount)) {
      subscription.pendingPlanId = target.id;
      subscription.cancelAtPeriodEnd = false;
      await record(PlanChangeKind.DOWNGRADE_SCHEDULED, subscription.currentPeriodEnd);
    } else {
      await this.prorate(tx, organization, subscription, current, target, now);
      subscription.planId = target.id;
      subscription.pendingPlanId = null;
      subscription.cancelAtPeriodEnd = false;
      await record(PlanChangeKind.UPGRADED, now);
    }
    return tx.getRepository(PlanSubscription).save(subscription);
  }

  /**
   * Checks a change to `planCode` as changePlan does (an active subscription, a plan the organisation may use, in its
   * currency, not the plan it is on with nothing scheduled), under the subscription's row lock. `allow` may refuse
   * the current plan, then the target, each once it is read.
   */
  async prepareChange(
    tx: EntityManager,
    organizationId: string,
    planCode: string,
    allow: (plan: Plan) => void = () => undefined,
  ): Promise<PreparedChange> {
    const { organization, subscription, now } = await this.lockActive(tx, organizationId);
    const current = await tx.getRepository(Plan).findOneByOrFail({ id: subscription.planId });
    allow(current);
    // Another organisation's custom plan answers as an unknown code: its existence is not this tenant's to learn.
    const target = await tx
      .getRepository(Plan)
      .findOne({ where: availablePlans(organizationId).map((where) => ({ ...where, code: planCode })) });
    if (!target) throw new SubscriptionError(SubscriptionErrorReason.UNKNOWN_PLAN, `No plan has the code "${planCode}"`);
    if (target.currency !== organization.currency) {
      throw new SubscriptionError(
        SubscriptionErrorReason.CURRENCY_MISMATCH,
        `Plan "${planCode}" is priced in ${target.currency}, the organization in ${organization.currency}`,
      );
    }
    if (target.id === current.id && !subscription.pendingPlanId && !subscription.cancelAtPeriodEnd) {
      throw new SubscriptionError(SubscriptionErrorReason.SAME_PLAN, `The organization is on "${planCode}" already`);
    }
    allow(target);
    return { organization, subscription, now, current, target };
  }

  /**
   * At subscription start, in the transaction that creates the organisation: an IN_ADVANCE plan's base fee for the
   * rest of the period, pro rata by time like an upgrade's proration, in an OPENING invoice issued at once. Once: a
   * second call, or one after the first close, issues nothing.
   */
  async invoiceOpeningFee(tx: EntityManager, organizationId: string): Promise<void> {
    const { organization, now } = await loadTenantScope(tx, organizationId);
    const subscription = await tx
      .getRepository(PlanSubscription)
      .findOne({ where: { organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!subscription || subscription.status !== SubscriptionStatus.ACTIVE) return;
    // The opening fee is an organisation's first invoice: once any exists, the subscription has started already.
    if (await tx.getRepository(Invoice).existsBy({ organizationId })) return;
    const plan = await tx.getRepository(Plan).findOneByOrFail({ id: subscription.planId });
    const price = new Dec(plan.basePriceAmount);
    const share = remainingShare(subscription.currentPeriodStart, subscription.currentPeriodEnd, now);
    if (plan.baseFeeTiming !== BaseFeeTiming.IN_ADVANCE || price.isZero() || share.isZero()) return;
    await this.issueNow(tx, {
      organizationId,
      kind: InvoiceKind.OPENING,
      currency: organization.currency,
      periodStart: subscription.currentPeriodStart,
      periodEnd: subscription.currentPeriodEnd,
      issuedAt: now,
      paymentTermsDays: plan.paymentTermsDays,
      lines: [
        {
          kind: InvoiceLineKind.BASE_FEE,
          description: `${plan.name} plan, ${periodSpan(now, subscription.currentPeriodEnd)}`,
          metric: null,
          quantity: share.toDecimalPlaces(6).toFixed(),
          unitPrice: price.toFixed(),
          // Rounded once, here, from the exact share.
          amount: roundMoney(price.times(share), minorUnits(organization.currency)),
        },
      ],
    });
  }

  async cancel(principal: Principal, organizationIdInput: string): Promise<PlanSubscription> {
    const organizationId = authorizeTenant(principal, Permission.CHANGE_PLAN, organizationIdInput);
    const result = await this.db.transaction(async (tx) => {
      const { subscription } = await this.lockActive(tx, organizationId);
      subscription.cancelAtPeriodEnd = true;
      subscription.pendingPlanId = null;
      const { identifiers } = await tx.getRepository(PlanChange).insert({
        organizationId,
        kind: PlanChangeKind.CANCEL_SCHEDULED,
        fromPlanId: subscription.planId,
        toPlanId: null,
        effectiveAt: subscription.currentPeriodEnd,
        requestedBy: principal.apiKeyId,
      });
      await recordSubscriptionChanged(tx, organizationId, identifiers);
      return tx.getRepository(PlanSubscription).save(subscription);
    });
    return this.changed(organizationId, result);
  }

  /** Deleting an account: no new usage or periods; the current period and open invoices are still billed and due. */
  async closeAccount(principal: Principal, organizationIdInput: string): Promise<Organization> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_ORGANIZATIONS, organizationIdInput);
    const result = await this.db.transaction(async (tx) => {
      const { organization, subscription, now } = await this.lockActive(tx, organizationId);
      organization.closedAt = now;
      subscription.cancelAtPeriodEnd = true;
      subscription.pendingPlanId = null;
      await tx.getRepository(PlanSubscription).save(subscription);
      const { identifiers } = await tx.getRepository(PlanChange).insert({
        organizationId,
        kind: PlanChangeKind.CLOSED,
        fromPlanId: subscription.planId,
        toPlanId: null,
        effectiveAt: now,
        requestedBy: principal.apiKeyId,
      });
      await recordSubscriptionChanged(tx, organizationId, identifiers);
      return tx.getRepository(Organization).save(organization);
    });
    return this.changed(organizationId, result);
  }

  /**
   * An upgrade's proration: the unused part of the old base fee credited and the new one charged, pro rata by time.
   * It waits for the close as pending items, unless the period's fee was invoiced in advance: then it is invoiced now.
   */
  private async prorate(
    tx: EntityManager,
    organization: Organization,
    subscription: PlanSubscription,
    from: Plan,
    to: Plan,
    now: Date,
  ): Promise<void> {
    const share = remainingShare(subscription.currentPeriodStart, subscription.currentPeriodEnd, now);
    if (share.isZero()) return;
    const decimals = minorUnits(organization.currency);
    const span = periodSpan(now, subscription.currentPeriodEnd);
    const lines = [
      { description: `Unused ${from.name} plan, ${span}`, price: new Dec(from.basePriceAmount).negated() },
      { description: `${to.name} plan, ${span}`, price: new Dec(to.basePriceAmount) },
    ]
      .filter((item) => !item.price.isZero())
      .map((item): LineDraft => ({
        kind: InvoiceLineKind.PRORATION,
        description: item.description,
        metric: null,
        quantity: share.toDecimalPlaces(6).toFixed(),
        unitPrice: item.price.toFixed(),
        amount: roundMoney(item.price.times(share), decimals),
      }));
    if (lines.length === 0) return;
    const periodPlan = await tx.getRepository(Plan).findOneByOrFail({ id: subscription.periodPlanId });
    if (periodPlan.baseFeeTiming === BaseFeeTiming.IN_ADVANCE) {
      await this.issueNow(tx, {
        organizationId: organization.id,
        kind: InvoiceKind.PLAN_CHANGE,
        currency: organization.currency,
        periodStart: subscription.currentPeriodStart,
        periodEnd: subscription.currentPeriodEnd,
        issuedAt: now,
        paymentTermsDays: to.paymentTermsDays,
        lines,
      });
      return;
    }
    await tx.getRepository(InvoiceItem).insert(
      lines.map((line) => ({
        organizationId: organization.id,
        periodStart: subscription.currentPeriodStart,
        kind: line.kind,
        description: line.description,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        amount: line.amount,
      })),
    );
  }

  private async lockActive(
    tx: EntityManager,
    organizationId: string,
  ): Promise<{ organization: Organization; subscription: PlanSubscription; now: Date }> {
    const { organization, now } = await loadTenantScope(tx, organizationId, { lock: true });
    const subscription = await tx
      .getRepository(PlanSubscription)
      .findOne({ where: { organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!subscription || subscription.status !== SubscriptionStatus.ACTIVE || organization.closedAt) {
      throw new SubscriptionError(SubscriptionErrorReason.NOT_ACTIVE, 'The organization has no active subscription');
    }
    return { organization, subscription, now };
  }
}
