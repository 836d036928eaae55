import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { QueryLimits } from '../../config';
import { costLimitPlugin, costRefusal, queryCost } from './query-cost';

/**
 * The query limits shared by HTTP and websockets: depth, aliases and directives from graphql-armor; the token limit as
 * graphql-js's own parse option (armor's token plugin parsed every document a second time in a hook of its own, where
 * a syntax error or a document over the limit became a 500 instead of Apollo's 400); and the cost limit of
 * query-cost.ts, whose model counts pages by their `first` (armor's reads only literals, not variables, and compounds
 * by depth, so that the largest documented page of a list did not fit).
 */
export function createQueryLimits(limits: QueryLimits) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    // Introspection is on for partners, so hiding field suggestions would protect nothing.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    plugins: [...armor.plugins, costLimitPlugin(limits.maxCost)],
    /** The cost check for transports Apollo does not serve (websockets): the refusal of a checked document, or null. */
    refuseCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: unknown) {
      const operation = getOperationAST(document, operationName);
      const vars = variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : undefined;
      const requested = operation ? queryCost(schema, document, operation, vars) : 0;
      return requested > limits.maxCost ? costRefusal({ requested, limit: limits.maxCost }) : null;
    },
  };
}

/** Query texts longer than this are checked every time rather than cached: a flood of them must not fill memory. */
const CACHED_TEXT_CHARS = 20_000;

/**
 * What Apollo does before executing, for the transports it does not serve
 * (websockets): parse under the token limit, then validate with the same
 * rules, armor's included. A socket repeating one subscription text pays for
 * the checks once. Never throws: a bad document is its errors.
 */
export function createDocumentChecker(
  schema: GraphQLSchema,
  limits: QueryLimits,
  armorRules: readonly ValidationRule[],
  introspection: boolean,
): (query: unknown) => DocumentNode | readonly GraphQLError[] {
  const rules = [...specifiedRules, ...armorRules, ...(introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const checked = new LRUCache<string, DocumentNode | readonly GraphQLError[]>({ max: 1000 });
  const check = (query: string): DocumentNode | readonly GraphQLError[] => {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: limits.maxTokens });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const errors = validate(schema, document, rules);
    return errors.length ? errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) : document;
  };
  return (query) => {
    if (typeof query !== 'string') {
      return [new GraphQLError('The operation has no query text', { extensions: { code: 'BAD_REQUEST' } })];
    }
    if (query.length > CACHED_TEXT_CHARS) return check(query);
    let result = checked.get(query);
    if (result === undefined) checked.set(query, (result = check(query)));
    return result;
  };
}
