import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  getOperationAST,
  Kind,
  visit,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';
import { onSecondSighting, runCompiled, type Sighting } from '../graphql/jit-plugin';
import { queryCost } from '../graphql/query-cost';
import { rootFields, type ServerMetrics } from '../observability/metrics';

/** Apollo's media types for a single result, in the order it offers them to the Accept header (it does not export them). */
const MEDIA_TYPES = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

/** Query texts longer than this are never prepared: the hot questions are short, and a flood of long ones must not fill memory. */
const PREPARED_TEXT_CHARS = 20_000;

interface Prepared {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  query: CompiledQuery;
  /** The cost, when no variable sets a page size (`first`), so that it is the same for every request. */
  cost: number | undefined;
  record: ReturnType<ServerMetrics['operationRecorder']>;
}

export interface PreparedQueryLaneOptions {
  schema: GraphQLSchema;
  /** The checks Apollo runs before executing (parse under the token limit, validation with the same rules). */
  checkDocument(query: unknown): DocumentNode | readonly GraphQLError[];
  maxCost: number;
  metrics: ServerMetrics;
  /** The error formatter Apollo and its jit plugin use. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
}

/**
 * The hot path of GraphQL over HTTP: a query a client repeats (a platform
 * asking `entitlement` before each request it serves) is answered without
 * Apollo's request pipeline, which costs as much again as the rest of the
 * request (its plugins' hooks, the query hash, the header copies).
 *
 * The answer is the one Apollo gives, byte for byte: the document passed the
 * same checks (the websockets' document checker), the cost limit is applied
 * and reported in `extensions.cost` the same way, the operation runs through
 * the same graphql-jit compilation with the same context, the content type is
 * negotiated with the same library and the same metrics are recorded. A
 * result with errors (a resolver's: another tenant's id, an unknown feature)
 * is shaped as Apollo's jit plugin shapes it, so the query runs once, and a
 * failing call to another service (Stripe) is not made twice. A text seen for
 * the first time, a mutation or subscription, persisted-query extensions, a
 * cost over the limit and variables the compiled query refuses go to Apollo.
 */
export class PreparedQueryLane {
  private readonly entries = new LRUCache<string, Sighting<Prepared>>({ max: 1000 });
  /** The negotiated content type per Accept header; false where Apollo answers 406. */
  private readonly contentTypes = new LRUCache<string, string | false>({ max: 100 });

  constructor(private readonly options: PreparedQueryLaneOptions) {}

  /** Answers a POST with its parsed body when it can; false leaves the request, untouched, to Apollo. */
  async answer<TContext>(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    context: Promise<TContext>,
    requestId: string,
  ): Promise<boolean> {
    const started = process.hrtime.bigint();
    const request = req.method === 'POST' ? laneRequest(body) : null;
    if (!request) return false;
    const contentType = this.contentTypeFor(req.headers.accept);
    if (!contentType) return false;
    const prepared = this.prepared(request.query, request.operationName);
    if (!prepared) return false;
    const requested = prepared.cost ?? queryCost(this.options.schema, prepared.document, prepared.operation, request.variables);
    if (requested > this.options.maxCost) return false;

    const { formatError, maxCost } = this.options;
    const result = await runCompiled(prepared.query, await context, request.variables, formatError, requestId);
    if (!result) return false;
    // Apollo's order of the fields: errors, data, extensions.
    const answer = {
      errors: result.formattedErrors,
      data: result.data,
      extensions: requested > 0 ? { cost: { requested, limit: maxCost } } : undefined,
    };
    res.statusCode = 200;
    res.setHeader('content-type', contentType);
    res.end(`${JSON.stringify(answer)}\n`);
    prepared.record(result.errors ? 'error' : 'ok', Number(process.hrtime.bigint() - started) / 1e9);
    return true;
  }

  /** The prepared operation of a text, made when the text comes a second time, as Apollo's jit plugin does. */
  private prepared(query: string, operationName: string | undefined): Prepared | null {
    if (query.length > PREPARED_TEXT_CHARS) return null;
    const key = operationName === undefined ? query : `${operationName}\u0000${query}`;
    return onSecondSighting<string, Prepared>(this.entries, key, () => this.prepare(query, operationName));
  }

  private prepare(query: string, operationName: string | undefined): Prepared | null {
    const document = this.options.checkDocument(query);
    if (!('kind' in document)) return null;
    const operation = getOperationAST(document, operationName);
    if (operation?.operation !== 'query') return null;
    const compiled = compileQuery(this.options.schema, document, operationName);
    if (!isCompiledQuery(compiled)) return null;
    const { schema, metrics } = this.options;
    const cost = pagedByVariable(document) ? undefined : queryCost(schema, document, operation, undefined);
    return { document, operation, query: compiled, cost, record: metrics.operationRecorder(rootFields(operation), 'query') };
  }

  /** Apollo's content negotiation for a single result, remembered per Accept header. */
  private contentTypeFor(accept: string | undefined): string | false {
    if (!accept) return MEDIA_TYPES[0]!;
    let chosen = this.contentTypes.get(accept);
    if (chosen === undefined) {
      chosen = new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES) ?? false;
      this.contentTypes.set(accept, chosen);
    }
    return chosen;
  }
}

interface LaneRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/** The body of a plain query request, or null for anything Apollo should look at (extensions, odd types). */
function laneRequest(body: unknown): LaneRequest | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const { query, operationName, variables, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string' || (extensions !== undefined && extensions !== null)) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
  };
}

/** Whether a variable sets a page size somewhere in the document, which makes the cost depend on the request. */
function pagedByVariable(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (node.name.value === 'first' && node.value.kind === Kind.VARIABLE) found = true;
    },
  });
  return found;
}
