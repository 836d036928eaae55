import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { isPlatformAdmin } from '../../common/auth/principal';
import type { RequestContext } from '../../app/request-context';
import { InvoiceEventDelivery, InvoiceTimelineEntry } from './dto/invoice-timeline.types';
import type { TimelineEvent } from './invoice-timeline.store';
import { Invoice } from './invoice.entity';

@Resolver(() => Invoice)
export class InvoiceTimelineResolver {
  // The invoice itself was read within the caller's scope, so its events are too.
  @FieldResolver(() => [InvoiceTimelineEntry], {
    description:
      'Its life in the order it happened: the platform events recorded for it (issued, payment failures, overdue, paid, ' +
      'voided), oldest first; empty for a DRAFT. Read for a page of invoices at once.',
  })
  timeline(@Root() invoice: Invoice, @Ctx() { loaders }: RequestContext): Promise<TimelineEvent[]> {
    return loaders.timelineByInvoice.load(invoice);
  }
}

@Resolver(() => InvoiceTimelineEntry)
export class InvoiceTimelineEntryResolver {
  @FieldResolver(() => [InvoiceEventDelivery], {
    nullable: true,
    description:
      "Its sendings to the platform's webhook endpoints, in the order they were queued (empty when no endpoint takes " +
      "its type). For platform admins only, since the endpoints are the platform's: null for any other role.",
  })
  deliveries(@Root() event: TimelineEvent, @Ctx() { principal, loaders }: RequestContext): Promise<InvoiceEventDelivery[]> | null {
    return isPlatformAdmin(principal) ? loaders.deliveriesByEvent.load(event) : null;
  }
}
