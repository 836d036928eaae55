import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Dec } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { InvoiceConnection } from './dto/invoice.types';
import { InvoiceLine } from './invoice-line.entity';
import { InvoiceStatus } from './invoice-status';
import { Invoice } from './invoice.entity';

const money = (invoice: Invoice, amount: string) => Money.rounded(amount, invoice.currency);

@Resolver(() => Invoice)
export class InvoiceResolver {
  @Authorized(Permission.VIEW_INVOICES)
  @Query(() => InvoiceConnection, { description: 'Newest period first.' })
  invoices(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 to 100; default 20 (INVALID_PAGE_SIZE otherwise).' })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of the previous page; omitted: the first page (INVALID_CURSOR for one this list did not give).',
    })
    after: string | null,
    @Arg('status', () => InvoiceStatus, { nullable: true, description: 'Only invoices in this status.' }) status: InvoiceStatus | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<InvoiceConnection> {
    return services.invoices.list(principal, organizationId, first, after, status);
  }

  @Authorized(Permission.VIEW_INVOICES)
  @Query(() => Invoice, { nullable: true, description: "One invoice. Another organisation's, or one that does not exist, is NOT_FOUND." })
  invoice(
    @Arg('id', () => ID, { description: 'The invoice (Invoice.id).' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Invoice> {
    return services.invoices.get(principal, id);
  }

  @Authorized(Permission.RUN_BILLING)
  @Mutation(() => Invoice, { description: 'Records a payment received outside Stripe.' })
  markInvoicePaid(
    @Arg('id', () => ID, { description: 'An OPEN or OVERDUE invoice (INVALID_TRANSITION otherwise).' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Invoice> {
    return services.invoices.markPaid(principal, id);
  }

  @Authorized(Permission.RUN_BILLING)
  @Mutation(() => Invoice, { description: 'Cancels an invoice; its credits go back to the balance.' })
  voidInvoice(
    @Arg('id', () => ID, { description: 'A DRAFT, OPEN or OVERDUE invoice (INVALID_TRANSITION otherwise).' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Invoice> {
    return services.invoices.void(principal, id);
  }

  @Authorized(Permission.RUN_BILLING)
  @Mutation(() => Invoice, { description: 'Writes an invoice off: nothing more is collected.' })
  markInvoiceUncollectible(
    @Arg('id', () => ID, { description: 'An OPEN or OVERDUE invoice (INVALID_TRANSITION otherwise).' }) id: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Invoice> {
    return services.invoices.markUncollectible(principal, id);
  }

  @FieldResolver(() => String, { description: 'Gapless per organisation, e.g. "3F2A9C1B-0007".' })
  number(@Root() invoice: Invoice): string {
    return invoice.number ?? `DRAFT-${invoice.id.slice(0, 8).toUpperCase()}`;
  }

  @FieldResolver(() => [InvoiceLine], { description: 'What it bills, line by line; the amounts sum to subtotal.' })
  lines(@Root() invoice: Invoice, @Ctx() { loaders }: RequestContext): Promise<InvoiceLine[]> {
    return loaders.linesByInvoice.load(invoice.id);
  }

  @FieldResolver(() => Money, { description: 'Sum of the lines.' })
  subtotal(@Root() invoice: Invoice): Money {
    return money(invoice, invoice.subtotal);
  }

  @FieldResolver(() => Money, { description: 'Prepaid credits used, applied before anything is charged.' })
  creditsApplied(@Root() invoice: Invoice): Money {
    return money(invoice, invoice.creditsApplied);
  }

  @FieldResolver(() => Money, { description: 'Subtotal less credits.' })
  total(@Root() invoice: Invoice): Money {
    return money(invoice, invoice.total);
  }

  @FieldResolver(() => Money, { description: 'Total less what has been paid.' })
  amountDue(@Root() invoice: Invoice): Money {
    return money(invoice, new Dec(invoice.total).minus(invoice.amountPaid).toFixed());
  }

  @FieldResolver(() => String, { nullable: true, description: 'The PDF; send the same Authorization header.' })
  pdfUrl(@Root() invoice: Invoice, @Ctx() { services }: RequestContext): string {
    return `${services.links.baseUrl}/invoices/${invoice.id}/pdf`;
  }
}

@Resolver(() => InvoiceLine)
export class InvoiceLineResolver {
  @FieldResolver(() => Money, { description: "The line's amount, rounded once to the currency's minor unit." })
  async amount(@Root() line: InvoiceLine, @Ctx() { loaders }: RequestContext): Promise<Money> {
    const invoice = await loaders.invoice.load(line.invoiceId);
    return Money.rounded(line.amount, invoice!.currency);
  }
}
