import { Extensions, Field, Int, ObjectType } from 'type-graphql';
import { PAGE_SIZE_EXTENSION, PageInfo, type PageSize } from '../../../common/graphql/pagination';
import { Organization } from '../organization.entity';

@ObjectType({ description: 'One organisation of a page of `organizations`.' })
export class OrganizationEdge {
  @Field({ description: 'Pass as `after` to read the organisations that follow this one.' })
  cursor!: string;

  @Field(() => Organization, { description: 'The organisation.' })
  node!: Organization;
}

export const ORGANIZATION_PAGE: PageSize = { default: 20, max: 100 };

@ObjectType({ description: 'A page of organisations, newest first (`organizations`).' })
@Extensions({ [PAGE_SIZE_EXTENSION]: ORGANIZATION_PAGE })
export class OrganizationConnection {
  @Field(() => [OrganizationEdge], { description: 'The page, newest first.' })
  edges!: OrganizationEdge[];

  @Field(() => PageInfo, { description: 'Whether more follow, and the cursor to read them with.' })
  pageInfo!: PageInfo;

  /** Counts every organisation the search matches (CountedPage). */
  count!: () => Promise<number>;

  @Field(() => Int, { description: 'How many organisations match the search, on every page; counted only when asked for.' })
  totalCount(): Promise<number> {
    return this.count();
  }
}
