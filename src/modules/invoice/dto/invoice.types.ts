import { Extensions, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PAGE_SIZE_EXTENSION, PageInfo, type PageSize } from '../../../common/graphql/pagination';
import { Invoice } from '../invoice.entity';

@ObjectType({ description: 'An invoice with its cursor.' })
export class InvoiceEdge {
  @Field({ description: 'Opaque; pass it as `after` to read the invoices after this one.' })
  cursor!: string;

  @Field(() => Invoice, { description: 'The invoice.' })
  node!: Invoice;
}

export const INVOICE_PAGE: PageSize = { default: 20, max: 100 };

@ObjectType({ description: 'A page of invoices, newest period first.' })
@Extensions({ [PAGE_SIZE_EXTENSION]: INVOICE_PAGE })
export class InvoiceConnection {
  @Field(() => [InvoiceEdge], { description: "This page's invoices." })
  edges!: InvoiceEdge[];

  @Field(() => PageInfo, { description: 'Whether more invoices follow, and the cursor to read them from.' })
  pageInfo!: PageInfo;

  /** Counts every invoice the filter matches (CountedPage). */
  count!: () => Promise<number>;

  @Field(() => Int, { description: 'Every invoice the filter matches, across all pages; counted only when asked for.' })
  totalCount(): Promise<number> {
    return this.count();
  }
}

@InputType({ description: 'Which periods to close; both fields are optional.' })
export class CloseBillingPeriodInput {
  @Field(() => ID, { nullable: true, description: 'Only this organisation; all by default.' })
  organizationId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only the period ending then (a month start, UTC).' })
  periodEnd?: Date | null;
}

@ObjectType({ description: 'What a close produced.' })
export class CloseBillingPeriodPayload {
  @Field(() => Int, { description: 'Invoices this call created (0 when repeated).' })
  invoicesCreated!: number;

  /** Read from `invoiceIds` only when asked for (BillingResolver), in organisation then period order. */
  @Field(() => [Invoice], { description: 'Those invoices, by organisation, then period; read only when asked for.' })
  invoices?: Invoice[];

  invoiceIds!: string[];
}
