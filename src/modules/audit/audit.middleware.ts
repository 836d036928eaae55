import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../../app/request-context';

/** What a mutation tells its audit entry that its arguments and result do not show. */
export interface AuditNote {
  /** The organisation acted on, e.g. the one a deleted rule belonged to; known once the mutation has read it. */
  organizationId?: string;
}

/** The context a root Mutation resolver receives: the request's, with a note of its own for the audit entry. */
export interface MutationContext extends RequestContext {
  audit: AuditNote;
}

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
      // A note per mutation: one request may send several.
      const audit: AuditNote = {};
      const result: unknown = await resolve(root, args, { ...context, audit } satisfies MutationContext, info);
      await context.services.audit.record(context.principal, info.fieldName, args, result, audit.organizationId);
      return result;
    };
  }
  return schema;
}
