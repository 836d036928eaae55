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
  grantCredits(
    @Arg('input', {
      description:
        'The grant. Errors: BAD_USER_INPUT with reason INVALID_ARGUMENT (amount not above 0 or past its decimals, expiresAt not in the future, reason too long) or OUT_OF_RANGE.',
    })
    input: GrantCreditsInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Money> {
    return services.credits.grant(principal, input);
  }

  @FieldResolver(() => Money, { description: 'Unexpired prepaid credit, used before anything is charged.' })
  creditBalance(@Root() organization: Organization, @Ctx() { services }: RequestContext): Promise<Money> {
    return services.credits.balanceOf(organization);
  }
}
