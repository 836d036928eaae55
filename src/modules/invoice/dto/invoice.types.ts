import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../../common/graphql/pagination';
import { Invoice } from '../invoice.entity';

@ObjectType()
export class InvoiceEdge {
  @Field()
  cursor!: string;

  @Field(() => Invoice)
  node!: Invoice;
}

@ObjectType()
export class InvoiceConnection {
  @Field(() => [InvoiceEdge])
  edges!: InvoiceEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
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
