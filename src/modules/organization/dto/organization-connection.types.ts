import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../../common/graphql/pagination';
import { Organization } from '../organization.entity';

@ObjectType({ description: 'One organisation of a page of `organizations`.' })
export class OrganizationEdge {
  @Field({ description: 'Pass as `after` to read the organisations that follow this one.' })
  cursor!: string;

  @Field(() => Organization, { description: 'The organisation.' })
  node!: Organization;
}

@ObjectType({ description: 'A page of organisations, newest first (`organizations`).' })
export class OrganizationConnection {
  @Field(() => [OrganizationEdge], { description: 'The page, newest first.' })
  edges!: OrganizationEdge[];

  @Field(() => PageInfo, { description: 'Whether more follow, and the cursor to read them with.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'How many organisations match the search, on every page.' })
  totalCount!: number;
}
