import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../errors/error-code';
import { isPageSize, PAGE_SIZE_EXTENSION, type PageSize } from './pagination';

/** What a query was found to cost against the limit, as `extensions.cost` reports it. */
export interface QueryCost {
  requested: number;
  limit: number;
}

/** The length counted for a list whose size nothing bounds (an invoice's lines, a plan's charges). */
export const UNBOUNDED_LIST_LENGTH = 10;

type Variables = Readonly<Record<string, unknown>> | null | undefined;

/**
 * A query's cost: about how many objects it may return, so that it grows with
 * the pages asked for. A scalar or enum costs nothing (its object has been
 * paid for); an object costs 1 plus its selection; a list costs its length
 * times its element. A connection's `edges` are as long as its `first` (the
 * connection type's default when left out, at most its maximum: a page size
 * outside the range is refused by the list itself as INVALID_PAGE_SIZE, not
 * here); another list with a `first` argument is as long as that; any other
 * list counts UNBOUNDED_LIST_LENGTH. A plain list
 * field may declare its own page size on the field, clamping its `first` the same way. Introspection costs nothing, as before.
 * Variables are read as sent, without coercing them (a 1,000-event batch
 * would be coerced twice): only an integer `first` is looked at.
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // A fragment spread many times (or spread by spreads) is walked once per page length: nested spreads
  // would otherwise multiply the walk itself.
  const fragmentCosts = new Map<string, number>();

  const firstOf = (node: FieldNode): number | undefined => {
    const argument = node.arguments?.find((a) => a.name.value === 'first');
    const value = argument?.value;
    const first =
      value?.kind === Kind.INT ? Number(value.value) : value?.kind === Kind.VARIABLE ? variables?.[value.name.value] : undefined;
    return typeof first === 'number' && Number.isInteger(first) ? first : undefined;
  };

  const pageSizeOf = (field: GraphQLField<unknown, unknown>): PageSize | undefined => {
    const declared = getNamedType(field.type).extensions[PAGE_SIZE_EXTENSION];
    return isPageSize(declared) ? declared : undefined;
  };
  /** A plain list field's own page size (`@Extensions` on the field), for lists paged by `first` without a connection. */
  const listSizeOf = (field: GraphQLField<unknown, unknown>): PageSize | undefined => {
    const declared = field.extensions[PAGE_SIZE_EXTENSION];
    return isPageSize(declared) ? declared : undefined;
  };

  /** `pageLength`: the length of the lists directly in this selection, when it is a connection's. */
  const selectionCost = (set: SelectionSetNode, type: GraphQLCompositeType, pageLength: number | undefined): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        cost += fieldCost(selection, type, pageLength);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (isCompositeType(condition)) cost += selectionCost(selection.selectionSet, condition, pageLength);
      } else {
        const key = `${selection.name.value}/${pageLength ?? ''}`;
        let spread = fragmentCosts.get(key);
        if (spread === undefined) {
          // Validation has refused cycles already; the mark only keeps a document that skipped it finite.
          fragmentCosts.set(key, 0);
          const fragment = fragments.get(selection.name.value);
          const condition = fragment && schema.getType(fragment.typeCondition.name.value);
          spread = fragment && isCompositeType(condition) ? selectionCost(fragment.selectionSet, condition, pageLength) : 0;
          fragmentCosts.set(key, spread);
        }
        cost += spread;
      }
    }
    return cost;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, pageLength: number | undefined): number => {
    if (!node.selectionSet || node.name.value.startsWith('__')) return 0;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    const type = field && getNamedType(field.type);
    if (!field || !isCompositeType(type)) return 0;
    const size = pageSizeOf(field);
    const first = firstOf(node);
    const page = size ? Math.min(Math.max(first ?? size.default, 1), size.max) : undefined;
    const element = 1 + selectionCost(node.selectionSet, type, page);
    if (!isListType(getNullableType(field.type))) return element;
    const list = size ? undefined : listSizeOf(field);
    const length = size
      ? 1
      : list
        ? Math.min(Math.max(first ?? list.default, 1), list.max)
        : first !== undefined
          ? Math.max(first, 1)
          : (pageLength ?? UNBOUNDED_LIST_LENGTH);
    return length * element;
  };

  return selectionCost(operation.selectionSet, root, undefined);
}

/** The refusal of a query over the limit: BAD_USER_INPUT with reason MAX_COST, like the other query limits. */
export function costRefusal({ requested, limit }: QueryCost, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(
    `This query costs ${requested}, more than the limit of ${limit}: ask for smaller pages (first) or fewer nested lists`,
    { extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'MAX_COST', ...extensions } },
  );
}

/**
 * The cost limit over HTTP: each operation's cost is measured once it is
 * resolved (the document valid, the operation chosen), a query over the limit
 * is refused with 400 before anything runs, and every response that had a
 * cost reports it in `extensions.cost` as `{ requested, limit }`. What costs
 * nothing (`{ __typename }`, introspection) is answered without the extension.
 */
export function costLimitPlugin<TContext extends BaseContext>(limit: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let cost: QueryCost | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          // No operation (an unknown operationName) is answered by Apollo itself.
          if (!operation) return;
          cost = { requested: queryCost(schema, document, operation, request.variables), limit };
          if (cost.requested > limit) throw costRefusal(cost, { http: { status: 400 } });
        },
        async willSendResponse({ response }) {
          if (cost && cost.requested > 0 && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost };
          }
        },
      };
    },
  };
}
