import { Field, Int, ObjectType } from 'type-graphql';
import { DecimalScalar, JSONScalar } from '../../../common/graphql/scalars';
import { PageInfo } from '../../../common/graphql/pagination';
import { AuditEntry } from '../audit-entry.entity';

@ObjectType()
export class AuditEdge {
  @Field()
  cursor!: string;

  @Field(() => AuditEntry)
  node!: AuditEntry;
}

@ObjectType()
export class AuditConnection {
  @Field(() => [AuditEdge])
  edges!: AuditEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
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

@ObjectType()
export class UsageEventConnection {
  @Field(() => [UsageEventEdge])
  edges!: UsageEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
