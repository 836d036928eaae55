import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { monthPeriod } from '../../common/time/billing-period';
import { Invoice } from '../invoice/invoice.entity';
import type { InvoiceService, OverdueInvoice } from '../invoice/invoice.service';
import { Organization } from '../organization/organization.entity';
import { loadTenantScope, tenantScope } from '../organization/tenant-scope';
import { SubscriptionError, SubscriptionErrorReason } from '../subscription/subscription.error';
import type { BillingCloseService } from './billing-close.service';
import type { CloseFilter } from './billing-close.store';

/** Collects due invoices (Stripe when configured); none means manual collection. */
export interface PaymentCollector {
  collectDue(organizationId?: string): Promise<void>;
}

/**
 * The billing cycle: periods close into invoices, unpaid ones go overdue,
 * due ones are charged. Run by the scheduler for real time and by
 * advanceTestClock for simulated organisations, the same way.
 */
export class BillingService {
  private readonly overdueListeners: Array<(invoices: OverdueInvoice[]) => Promise<void>> = [];

  constructor(
    private readonly db: DataSource,
    private readonly closer: BillingCloseService,
    private readonly invoices: InvoiceService,
    private readonly collector: PaymentCollector | null,
    private readonly logger: Logger,
  ) {}

  private readonly cycleListeners: Array<(organizationId?: string) => Promise<void>> = [];

  /** Told after each cycle, for one organisation or all (forecast alerts). */
  onCycle(listener: (organizationId?: string) => Promise<void>): void {
    this.cycleListeners.push(listener);
  }

  /** Told of invoices that just went overdue (the alerts module raises alerts). */
  onOverdue(listener: (invoices: OverdueInvoice[]) => Promise<void>): void {
    this.overdueListeners.push(listener);
  }

  /** The ids of the invoices created; invoicesByIds reads them when the caller wants them. */
  async closeBillingPeriod(principal: Principal, input: { organizationId?: string | null; periodEnd?: Date | null }): Promise<string[]> {
    const filter: CloseFilter = {};
    // Without an organisation the close runs for all of them, which only the role check guards.
    if (input.organizationId) filter.organizationId = authorizeTenant(principal, Permission.RUN_BILLING, input.organizationId);
    else assertCan(principal, Permission.RUN_BILLING);
    if (input.periodEnd) {
      if (monthPeriod(input.periodEnd).start.getTime() !== input.periodEnd.getTime()) {
        throw new SubscriptionError(
          SubscriptionErrorReason.INVALID_PERIOD_END,
          'periodEnd must be the start of a month (UTC), where periods end',
        );
      }
      if (filter.organizationId) {
        const { now } = await loadTenantScope(this.db.manager, filter.organizationId);
        if (input.periodEnd > now) {
          throw new SubscriptionError(SubscriptionErrorReason.PERIOD_NOT_ENDED, "That period has not ended on the organization's clock");
        }
      }
      filter.periodEnd = input.periodEnd;
    }
    return this.cycle(filter, principal.apiKeyId);
  }

  async advanceTestClock(principal: Principal, organizationIdInput: string, to: Date): Promise<Organization> {
    const { organizationId, organization: org } = await tenantScope(
      this.db.manager,
      principal,
      Permission.RUN_BILLING,
      organizationIdInput,
    );
    if (!org.testClockAt)
      throw new SubscriptionError(
        SubscriptionErrorReason.NOT_SIMULATED,
        'Only an organization created with a testClock can be moved in time',
      );
    if (to < org.testClockAt) throw new SubscriptionError(SubscriptionErrorReason.CLOCK_BACKWARDS, 'A test clock only moves forward');
    await this.db.getRepository(Organization).update({ id: organizationId }, { testClockAt: to });
    await this.cycle({ organizationId }, principal.apiKeyId);
    return (await loadTenantScope(this.db.manager, organizationId)).organization;
  }

  /** The scheduler's tick, for every organisation whose periods ended on its own clock. */
  async runScheduled(): Promise<void> {
    const created = await this.cycle({}, 'scheduler');
    if (created.length) this.logger.info({ invoices: created.length }, 'scheduled billing run issued invoices');
  }

  /** Invoices by id, ordered by organisation then period. */
  async invoicesByIds(ids: string[]): Promise<Invoice[]> {
    if (ids.length === 0) return [];
    const invoices = await this.db.getRepository(Invoice).findBy({ id: In(ids) });
    return invoices.sort((a, b) => a.organizationId.localeCompare(b.organizationId) || a.periodStart.getTime() - b.periodStart.getTime());
  }

  /** Closes, marks overdue, collects; the ids of the invoices created. */
  private async cycle(filter: CloseFilter, requestedBy: string): Promise<string[]> {
    const ids = await this.closer.closeDue(filter, requestedBy);
    const overdue = await this.invoices.markOverdue(filter.organizationId);
    if (overdue.length) for (const listener of this.overdueListeners) await listener(overdue);
    await this.collector?.collectDue(filter.organizationId);
    for (const listener of this.cycleListeners) await listener(filter.organizationId);
    return ids;
  }
}
