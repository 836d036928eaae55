import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { QueryLimits } from '../../config';

/** Depth, alias, cost and token limits from graphql-armor, shared by HTTP and websockets. */
export function createQueryLimits(limits: QueryLimits) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: 20 },
    // Introspection is on for partners, so hiding field suggestions would protect nothing.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}
