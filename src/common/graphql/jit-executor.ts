import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Queries and mutations executed by graphql-jit: each operation is compiled
 * once into plain JavaScript (variable coercion, resolver calls, result
 * shaping) and reused. Coercing a recordUsage batch of 1,000 events was the
 * largest single cost of ingestion in graphql-js.
 *
 * Apollo Server 5 accepts a custom executor only through its gateway
 * interface, so this "gateway" serves our own schema. Parsing, validation,
 * plugins and error formatting stay Apollo's; subscriptions run on graphql-ws.
 */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  // Apollo keeps one parsed document per query text, so the document is the cache key.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();
  const compile = (document: DocumentNode, operationName: string | undefined) => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    let entry = byOperation.get(operationName ?? '');
    if (!entry) {
      entry = compileQuery(schema, document, operationName);
      byOperation.set(operationName ?? '', entry);
    }
    return entry;
  };
  const executor: GatewayExecutor = async ({ document, operationName, request, context }) => {
    const entry = compile(document, operationName ?? undefined);
    if (isCompiledQuery(entry)) {
      const result = await entry.query(undefined, context, request.variables ?? {});
      // No data means the variables were rejected: graphql-js below says which input path and why.
      if (result.data !== undefined) return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
    }
    return execute({ schema, document, operationName, contextValue: context, variableValues: request.variables });
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}

/** graphql-jit's errors carry locations rather than AST nodes and may lack extensions, which Apollo's formatting expects. */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions ?? undefined,
  });
  (converted as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return converted;
}
