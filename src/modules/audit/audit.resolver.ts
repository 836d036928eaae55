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
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('operation', () => String, { nullable: true }) operation: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<AuditConnection> {
    return services.audit.list(principal, organizationId, first, after, operation);
  }

  @Authorized(Permission.VIEW_AUDIT)
  @Query(() => UsageEventConnection, { description: 'Recorded events with their computed cost, newest first.' })
  usageEvents(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('metric', () => String, { nullable: true }) metric: string | null,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<UsageEventConnection> {
    return services.audit.events(principal, organizationId, first, after, metric);
  }
}
