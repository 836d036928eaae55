import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { SpendControls, SpendControlsInput } from './dto/spend-controls.types';

@Resolver()
export class SpendControlResolver {
  @Authorized(Permission.VIEW_USAGE)
  @Query(() => SpendControls, {
    description:
      "An organisation's spend controls as they apply, with the period's spend and what is left of the budget. Any role of the organisation; another tenant is FORBIDDEN.",
  })
  spendControls(
    @Arg('organizationId', () => ID, { description: 'The organisation; another tenant is FORBIDDEN, an unknown one NOT_FOUND.' })
    organizationId: string,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<SpendControls> {
    return services.spendControls.get(principal, organizationId);
  }

  @Authorized(Permission.MANAGE_SPEND_CONTROLS)
  @Mutation(() => SpendControls, {
    description:
      "Sets an organisation's budget, auto-pause, budget alert thresholds and per-event, per-hour and per-day limits: platform admins, and the organisation's tenant admin or billing contact (others FORBIDDEN). Blocking limits apply to the next event recorded, on every node.",
  })
  setSpendControls(
    @Arg('input', { description: 'The controls to change; fields left out keep their values.' }) input: SpendControlsInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<SpendControls> {
    return services.spendControls.set(principal, input);
  }
}
