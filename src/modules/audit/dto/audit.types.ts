import { Extensions, Field, Int, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { PAGE_SIZE_EXTENSION, PageInfo, type PageSize } from '../../../common/graphql/pagination';
import { AuditEntry } from '../audit-entry.entity';

@ObjectType()
export class AuditEdge {
  @Field()
  cursor!: string;

  @Field(() => AuditEntry)
  node!: AuditEntry;
}

export const AUDIT_PAGE: PageSize = { default: 50, max: 200 };

@ObjectType()
@Extensions({ [PAGE_SIZE_EXTENSION]: AUDIT_PAGE })
export class AuditConnection {
  @Field(() => [AuditEdge])
  edges!: AuditEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Counts every entry the filters match (CountedPage). */
  count!: () => Promise<number>;

  @Field(() => Int, { description: 'Every entry the filters match, across all pages; counted only when asked for.' })
  totalCount(): Promise<number> {
    return this.count();
  }
}

@ObjectType({ description: 'A recorded usage event with the cost it added: the audit trail of what was charged.' })
export class UsageEventRecord {
  @Field({ description: 'The idempotency key it was sent with.' })
  id!: string;

  @Field()
  metric!: string;

  @Field(() => Date)
  timestamp!: Date;

  @Field(() => Date)
  receivedAt!: Date;

  @Field(() => DecimalScalar, { description: "As billed, after the metric's rounding." })
  quantity!: string;

  @Field(() => DecimalScalar, { description: 'As sent.' })
  rawQuantity!: string;

  @Field(() => DecimalScalar, { description: "What it added to the period's cost, unrounded." })
  cost!: string;

  @Field(() => String, { nullable: true })
  team!: string | null;

  @Field(() => String, { nullable: true })
  project!: string | null;

  @Field(() => String, { nullable: true })
  user!: string | null;

  @Field(() => JSONScalar)
  dimensions!: unknown;
}

@ObjectType()
export class UsageEventEdge {
  @Field()
  cursor!: string;

  @Field(() => UsageEventRecord)
  node!: UsageEventRecord;
}

export const USAGE_EVENT_PAGE: PageSize = { default: 50, max: 500 };

@ObjectType()
@Extensions({ [PAGE_SIZE_EXTENSION]: USAGE_EVENT_PAGE })
export class UsageEventConnection {
  @Field(() => [UsageEventEdge])
  edges!: UsageEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Counts every event the filter matches (CountedPage). */
  count!: () => Promise<number>;

  @Field(() => Int, { description: 'Every recorded event the filter matches, across all pages; counted only when asked for.' })
  totalCount(): Promise<number> {
    return this.count();
  }
}
