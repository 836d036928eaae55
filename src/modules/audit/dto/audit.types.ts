import { Extensions, Field, Int, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { PAGE_SIZE_EXTENSION, PageInfo, type PageSize } from '../../../common/graphql/pagination';
import { AuditEntry } from '../audit-entry.entity';

@ObjectType({ description: 'An audit entry with its cursor.' })
export class AuditEdge {
  @Field({ description: 'Opaque; pass it as `after` to read the entries after this one.' })
  cursor!: string;

  @Field(() => AuditEntry, { description: 'The entry.' })
  node!: AuditEntry;
}

export const AUDIT_PAGE: PageSize = { default: 50, max: 200 };

@ObjectType({ description: 'A page of the audit log, newest first.' })
@Extensions({ [PAGE_SIZE_EXTENSION]: AUDIT_PAGE })
export class AuditConnection {
  @Field(() => [AuditEdge], { description: "This page's entries." })
  edges!: AuditEdge[];

  @Field(() => PageInfo, { description: 'Whether more entries follow, and the cursor to read them from.' })
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

  @Field({ description: 'The metric code.' })
  metric!: string;

  @Field(() => Date, { description: 'When the usage happened, as sent (or when it was received).' })
  timestamp!: Date;

  @Field(() => Date, { description: 'When it was recorded.' })
  receivedAt!: Date;

  @Field(() => DecimalScalar, { description: "As billed, after the metric's rounding." })
  quantity!: string;

  @Field(() => DecimalScalar, { description: 'As sent.' })
  rawQuantity!: string;

  @Field(() => DecimalScalar, { description: "What it added to the period's cost, unrounded." })
  cost!: string;

  @Field(() => String, { nullable: true, description: 'The team key it was allocated to; null: none.' })
  team!: string | null;

  @Field(() => String, { nullable: true, description: 'The project key it was allocated to; null: none.' })
  project!: string | null;

  @Field(() => String, { nullable: true, description: 'The user key it was allocated to; null: none.' })
  user!: string | null;

  @Field(() => JSONScalar, { description: 'Its dimensions as sent, e.g. {"model": "gpt-4"}; {} without any.' })
  dimensions!: unknown;
}

@ObjectType({ description: 'A recorded event with its cursor.' })
export class UsageEventEdge {
  @Field({ description: 'Opaque; pass it as `after` to read the events after this one.' })
  cursor!: string;

  @Field(() => UsageEventRecord, { description: 'The event.' })
  node!: UsageEventRecord;
}

export const USAGE_EVENT_PAGE: PageSize = { default: 50, max: 500 };

@ObjectType({ description: 'A page of recorded events, newest first.' })
@Extensions({ [PAGE_SIZE_EXTENSION]: USAGE_EVENT_PAGE })
export class UsageEventConnection {
  @Field(() => [UsageEventEdge], { description: "This page's events." })
  edges!: UsageEventEdge[];

  @Field(() => PageInfo, { description: 'Whether more events follow, and the cursor to read them from.' })
  pageInfo!: PageInfo;

  /** Counts every event the filter matches (CountedPage). */
  count!: () => Promise<number>;

  @Field(() => Int, { description: 'Every recorded event the filter matches, across all pages; counted only when asked for.' })
  totalCount(): Promise<number> {
    return this.count();
  }
}
