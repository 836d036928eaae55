import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { Role } from '../../common/auth/role';
import type { RequestContext } from '../../app/request-context';
import { Organization } from '../organization/organization.entity';

@ObjectType({ description: 'The caller, as its API key identifies it.' })
export class Viewer {
  @Field(() => Role, { description: "The key's role." })
  role!: Role;

  @Field(() => Organization, { nullable: true, description: 'Null for platform admins.' })
  organization!: Organization | null;
}

@Resolver()
export class ViewerResolver {
  @Query(() => Viewer, { description: 'The caller: its role and organisation. Roles: any API key.' })
  async viewer(@Ctx() { principal, loaders }: RequestContext): Promise<Viewer> {
    const organization = principal.organizationId ? await loaders.organization.load(principal.organizationId) : null;
    return { role: principal.role, organization };
  }
}
