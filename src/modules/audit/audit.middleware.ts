import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../../common/graphql/request-context';

/**
 * Records every mutation that succeeded, over HTTP or websockets, by wrapping
 * the root Mutation fields of the built schema. Not a type-graphql global
 * middleware: those run on every field of every object, making each plain
 * property an async call, which doubled the cost of reads.
 */
export function withAudit(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (root, args: Record<string, unknown>, context: RequestContext, info) => {
      const result: unknown = await resolve(root, args, context, info);
      await context.services.audit.record(context.principal, info.fieldName, args, result);
      return result;
    };
  }
  return schema;
}
