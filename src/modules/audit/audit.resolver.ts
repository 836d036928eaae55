import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { AuditConnection, UsageEventConnection } from './dto/audit.types';

@Resolver()
export class AuditResolver {
  @Authorized(Permission.VIEW_AUDIT)
  @Query(() => AuditConnection, {
    description: 'Every change, newest first: who, when, what. Without organizationId: the whole platform (platform admins).',
  })
  auditLog(
    @Arg('organizationId', () => ID, {
      nullable: true,
      description: "Only this organisation's entries: the caller's own (platform admins: any, or omitted for all; FORBIDDEN for others).",
    })
    organizationId: string | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 to 200; default 50 (INVALID_PAGE_SIZE otherwise).' })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of the previous page; omitted: the first page (INVALID_CURSOR for one this list did not give).',
    })
    after: string | null,
    @Arg('operation', () => String, { nullable: true, description: 'Only entries of this mutation, e.g. "changePlan".' })
    operation: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AuditConnection> {
    return services.audit.list(principal, organizationId, first, after, operation);
  }

  @Authorized(Permission.VIEW_AUDIT)
  @Query(() => UsageEventConnection, { description: 'Recorded events with their computed cost, newest first.' })
  usageEvents(
    @Arg('organizationId', () => ID, { description: "The organisation: the caller's own (platform admins: any)." }) organizationId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 to 500; default 50 (INVALID_PAGE_SIZE otherwise).' })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'The endCursor of the previous page; omitted: the first page (INVALID_CURSOR for one this list did not give).',
    })
    after: string | null,
    @Arg('metric', () => String, { nullable: true, description: 'Only events of this metric code.' }) metric: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<UsageEventConnection> {
    return services.audit.events(principal, organizationId, first, after, metric);
  }
}
