import type { DataSource, EntityManager } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { minorUnits } from '../../common/money/currency';
import { Dec, roundMoney } from '../../common/money/decimal';
import { remainingShare } from '../invoice/invoice-builder';
import { InvoiceItem } from '../invoice/invoice-item.entity';
import { InvoiceLineKind } from '../invoice/invoice-line.entity';
import { Organization } from '../organization/organization.entity';
import { loadTenantScope } from '../organization/tenant-scope';
import { availablePlans } from '../plan/plan-availability';
import { Plan } from '../plan/plan.entity';
import { PlanChange, PlanChangeKind } from './plan-change.entity';
import { PlanSubscription, SubscriptionStatus } from './plan-subscription.entity';
import { SubscriptionError, SubscriptionErrorReason } from './subscription.error';
import { recordSubscriptionChanged } from './subscription-events';

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Plan changes: an upgrade applies at once and credits the
 * unused part of the old base fee pro rata by time; a downgrade and a
 * cancellation take effect at the period's end; closing an account stops new
 * usage and charges while what is owed stays due. Each change is recorded
 * with the key that asked for it.
 */
export class SubscriptionService {
  constructor(private readonly db: DataSource) {}

  private readonly changeListeners: Array<(organizationId: string) => Promise<void>> = [];

  /** Told after a plan change, cancellation or closing has committed (entitlements announce it to every node). */
  onChanged(listener: (organizationId: string) => Promise<void>): void {
    this.changeListeners.push(listener);
  }

  private async changed<T>(organizationId: string, result: T): Promise<T> {
    for (const listener of this.changeListeners) await listener(organizationId);
    return result;
  }

  async changePlan(principal: Principal, organizationIdInput: string, planCode: string): Promise<PlanSubscription> {
    const organizationId = authorizeTenant(principal, Permission.CHANGE_PLAN, organizationIdInput);
    const result = await this.db.transaction(async (tx) => {
      const { organization, subscription, now } = await this.lockActive(tx, organizationId);
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
      const current = await tx.getRepository(Plan).findOneByOrFail({ id: subscription.planId });
      const record = async (kind: PlanChangeKind, effectiveAt: Date) => {
        const { identifiers } = await tx
          .getRepository(PlanChange)
          .insert({ organizationId, kind, fromPlanId: current.id, toPlanId: target.id, effectiveAt, requestedBy: principal.apiKeyId });
        await recordSubscriptionChanged(tx, organizationId, identifiers);
      };

      if (target.id === current.id) {
        if (!subscription.pendingPlanId && !subscription.cancelAtPeriodEnd) {
          throw new SubscriptionError(SubscriptionErrorReason.SAME_PLAN, `The organization is on "${planCode}" already`);
        }
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
    });
    return this.changed(organizationId, result);
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
    const span = `${day(now)} to ${day(new Date(subscription.currentPeriodEnd.getTime() - 1))}`;
    const items = [
      { description: `Unused ${from.name} plan, ${span}`, price: new Dec(from.basePriceAmount).negated() },
      { description: `${to.name} plan, ${span}`, price: new Dec(to.basePriceAmount) },
    ];
    await tx.getRepository(InvoiceItem).insert(
      items
        .filter((item) => !item.price.isZero())
        .map((item) => ({
          organizationId: organization.id,
          periodStart: subscription.currentPeriodStart,
          kind: InvoiceLineKind.PRORATION,
          description: item.description,
          quantity: share.toDecimalPlaces(6).toFixed(),
          unitPrice: item.price.toFixed(),
          amount: roundMoney(item.price.times(share), decimals),
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
