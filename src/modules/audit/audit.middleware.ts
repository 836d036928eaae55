import type { MiddlewareFn } from 'type-graphql';
import type { RequestContext } from '../../common/graphql/request-context';

/** Records every mutation that succeeded, over HTTP or websockets; other fields pass straight through. */
export const auditMiddleware: MiddlewareFn<RequestContext> = async ({ context, info, args }, next) => {
  const result: unknown = await next();
  if (info.parentType.name === 'Mutation' && info.path.prev === undefined) {
    await context.services.audit.record(context.principal, info.fieldName, args, result);
  }
  return result;
};
