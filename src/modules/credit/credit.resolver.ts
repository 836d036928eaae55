import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { Money } from '../../common/money/money.type';
import { Organization } from '../organization/organization.entity';
import { GrantCreditsInput } from './dto/grant-credits.input';

@Resolver(() => Organization)
export class CreditResolver {
  @Authorized(Permission.GRANT_CREDITS)
  @Mutation(() => Money, { description: 'Adds prepaid credit; returns the new balance.' })
  grantCredits(@Arg('input') input: GrantCreditsInput, @Ctx() { principal, services }: RequestContext): Promise<Money> {
    return services.credits.grant(principal, input);
  }

  @FieldResolver(() => Money, { description: 'Unexpired prepaid credit, used before anything is charged.' })
  creditBalance(@Root() organization: Organization, @Ctx() { services }: RequestContext): Promise<Money> {
    return services.credits.balanceOf(organization);
  }
}
