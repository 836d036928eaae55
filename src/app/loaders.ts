import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loadMany, loadOne } from '../common/database/batch-load';
import { InvoiceLine } from '../modules/invoice/invoice-line.entity';
import { Invoice } from '../modules/invoice/invoice.entity';
import { loadEventDeliveries, loadInvoiceTimelines, type InvoiceKey, type TimelineEvent } from '../modules/invoice/invoice-timeline.store';
import { Metric } from '../modules/metric/metric.entity';
import { Organization } from '../modules/organization/organization.entity';
import { Project } from '../modules/organization/project.entity';
import { Team } from '../modules/organization/team.entity';
import { PlanCharge } from '../modules/plan/plan-charge.entity';
import { Plan } from '../modules/plan/plan.entity';
import { InvoiceBankTransfer } from '../modules/payment/invoice-bank-transfer.entity';
import { PlanSubscription } from '../modules/subscription/plan-subscription.entity';

/**
 * A fresh set per HTTP request and per subscription event, so nothing is cached across callers. Each loader is
 * made when a resolver first asks for it: most requests use none or one of them, and the hot checks (a platform
 * asking `entitlement` before every request it serves) would otherwise build a dozen for nothing.
 */
export class Loaders {
  #organization?: DataLoader<string, Organization | null>;
  #plan?: DataLoader<string, Plan | null>;
  #metric?: DataLoader<string, Metric | null>;
  #subscriptionByOrganization?: DataLoader<string, PlanSubscription | null>;
  #chargesByPlan?: DataLoader<string, PlanCharge[]>;
  #teamsByOrganization?: DataLoader<string, Team[]>;
  #projectsByOrganization?: DataLoader<string, Project[]>;
  #invoice?: DataLoader<string, Invoice | null>;
  #linesByInvoice?: DataLoader<string, InvoiceLine[]>;
  #bankTransferByInvoice?: DataLoader<string, InvoiceBankTransfer | null>;
  #timelineByInvoice?: DataLoader<InvoiceKey, Awaited<ReturnType<typeof loadInvoiceTimelines>>[number], string>;
  #deliveriesByEvent?: DataLoader<TimelineEvent, Awaited<ReturnType<typeof loadEventDeliveries>>[number], string>;

  constructor(private readonly db: DataSource) {}

  get organization() {
    return (this.#organization ??= new DataLoader((ids: readonly string[]) => loadOne(this.db.getRepository(Organization), 'id', ids)));
  }
  get plan() {
    return (this.#plan ??= new DataLoader((ids: readonly string[]) => loadOne(this.db.getRepository(Plan), 'id', ids)));
  }
  get metric() {
    return (this.#metric ??= new DataLoader((ids: readonly string[]) => loadOne(this.db.getRepository(Metric), 'id', ids)));
  }
  get subscriptionByOrganization() {
    return (this.#subscriptionByOrganization ??= new DataLoader((ids: readonly string[]) =>
      loadOne(this.db.getRepository(PlanSubscription), 'organizationId', ids),
    ));
  }
  get chargesByPlan() {
    return (this.#chargesByPlan ??= new DataLoader((ids: readonly string[]) =>
      loadMany(this.db.getRepository(PlanCharge), 'planId', ids, 'id'),
    ));
  }
  get teamsByOrganization() {
    return (this.#teamsByOrganization ??= new DataLoader((ids: readonly string[]) =>
      loadMany(this.db.getRepository(Team), 'organizationId', ids, 'key'),
    ));
  }
  get projectsByOrganization() {
    return (this.#projectsByOrganization ??= new DataLoader((ids: readonly string[]) =>
      loadMany(this.db.getRepository(Project), 'organizationId', ids, 'key'),
    ));
  }
  get invoice() {
    return (this.#invoice ??= new DataLoader((ids: readonly string[]) => loadOne(this.db.getRepository(Invoice), 'id', ids)));
  }
  get linesByInvoice() {
    return (this.#linesByInvoice ??= new DataLoader((ids: readonly string[]) =>
      loadMany(this.db.getRepository(InvoiceLine), 'invoiceId', ids, 'position'),
    ));
  }
  get bankTransferByInvoice() {
    return (this.#bankTransferByInvoice ??= new DataLoader((ids: readonly string[]) =>
      loadOne(this.db.getRepository(InvoiceBankTransfer), 'invoiceId', ids),
    ));
  }
  get timelineByInvoice() {
    return (this.#timelineByInvoice ??= new DataLoader((keys: readonly InvoiceKey[]) => loadInvoiceTimelines(this.db, keys), {
      cacheKeyFn: (k) => k.id,
    }));
  }
  get deliveriesByEvent() {
    return (this.#deliveriesByEvent ??= new DataLoader((keys: readonly TimelineEvent[]) => loadEventDeliveries(this.db, keys), {
      cacheKeyFn: (k) => k.id,
    }));
  }
}
