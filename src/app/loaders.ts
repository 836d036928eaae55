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

/** A fresh set per HTTP request and per subscription event, so nothing is cached across callers. */
export function createLoaders(db: DataSource) {
  return {
    organization: new DataLoader((ids: readonly string[]) => loadOne(db.getRepository(Organization), 'id', ids)),
    plan: new DataLoader((ids: readonly string[]) => loadOne(db.getRepository(Plan), 'id', ids)),
    metric: new DataLoader((ids: readonly string[]) => loadOne(db.getRepository(Metric), 'id', ids)),
    subscriptionByOrganization: new DataLoader((ids: readonly string[]) =>
      loadOne(db.getRepository(PlanSubscription), 'organizationId', ids),
    ),
    chargesByPlan: new DataLoader((ids: readonly string[]) => loadMany(db.getRepository(PlanCharge), 'planId', ids, 'id')),
    teamsByOrganization: new DataLoader((ids: readonly string[]) => loadMany(db.getRepository(Team), 'organizationId', ids, 'key')),
    projectsByOrganization: new DataLoader((ids: readonly string[]) => loadMany(db.getRepository(Project), 'organizationId', ids, 'key')),
    invoice: new DataLoader((ids: readonly string[]) => loadOne(db.getRepository(Invoice), 'id', ids)),
    linesByInvoice: new DataLoader((ids: readonly string[]) => loadMany(db.getRepository(InvoiceLine), 'invoiceId', ids, 'position')),
    bankTransferByInvoice: new DataLoader((ids: readonly string[]) => loadOne(db.getRepository(InvoiceBankTransfer), 'invoiceId', ids)),
    timelineByInvoice: new DataLoader((keys: readonly InvoiceKey[]) => loadInvoiceTimelines(db, keys), { cacheKeyFn: (k) => k.id }),
    deliveriesByEvent: new DataLoader((keys: readonly TimelineEvent[]) => loadEventDeliveries(db, keys), { cacheKeyFn: (k) => k.id }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
