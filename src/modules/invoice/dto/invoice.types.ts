import { Extensions, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PAGE_SIZE_EXTENSION, PageInfo, type PageSize } from '../../../common/graphql/pagination';
import { Invoice } from '../invoice.entity';

@ObjectType()
export class InvoiceEdge {
  @Field()
  cursor!: string;

  @Field(() => Invoice)
  node!: Invoice;
}

export const INVOICE_PAGE: PageSize = { default: 20, max: 100 };

@ObjectType()
@Extensions({ [PAGE_SIZE_EXTENSION]: INVOICE_PAGE })
export class InvoiceConnection {
  @Field(() => [InvoiceEdge])
  edges!: InvoiceEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Counts every invoice the filter matches (CountedPage). */
  count!: () => Promise<number>;

  @Field(() => Int, { description: 'Every invoice the filter matches, across all pages; counted only when asked for.' })
  totalCount(): Promise<number> {
    return this.count();
  }
}

@InputType()
export class CloseBillingPeriodInput {
  @Field(() => ID, { nullable: true, description: 'Only this organisation; all by default.' })
  organizationId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only the period ending then (a month start, UTC).' })
  periodEnd?: Date | null;
}

@ObjectType()
export class CloseBillingPeriodPayload {
  @Field(() => Int)
  invoicesCreated!: number;

  /** Read from `invoiceIds` only when asked for (BillingResolver), in organisation then period order. */
  @Field(() => [Invoice])
  invoices?: Invoice[];

  invoiceIds!: string[];
}
