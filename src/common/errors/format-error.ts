import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { AuthorizationError } from 'type-graphql';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';

/** Codes produced by GraphQL itself or Apollo that are safe to pass through. */
const PASS_THROUGH = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/** graphql-armor reports limits as validation errors; give them our stable code and a reason. */
const ARMOR_REASONS: Array<[RegExp, string]> = [
  [/depth limit/i, 'MAX_DEPTH'],
  [/aliases limit/i, 'MAX_ALIASES'],
  // Over websockets the token limit is graphql-js's own parse option, which words it so ("more that" in graphql 16).
  [/token limit|more th(?:an|at) \d+ tokens/i, 'MAX_TOKENS'],
  [/directives limit/i, 'MAX_DIRECTIVES'],
];

/** A limit's message without the "Syntax Error:" armor and graphql-js put before it: the document's syntax was fine. */
function limitMessage(message: string): string {
  const tokens = /more th(?:an|at) (\d+) tokens/i.exec(message);
  if (tokens) return `Token limit of ${tokens[1]} exceeded.`;
  return message.replace(/^Syntax Error: /, '');
}

/** The request each error met, where the transport knows it: an unexpected error is logged with it. */
const requestIds = new WeakMap<object, string>();

/** Marks errors as met while serving `requestId`, for the log line of any that turns out to be ours. */
export function noteRequestId(errors: readonly unknown[], requestId: string | undefined): void {
  if (requestId === undefined) return;
  for (const error of errors) if (typeof error === 'object' && error !== null) requestIds.set(error, requestId);
}

const requestIdOfError = (...candidates: unknown[]): string | undefined => {
  for (const error of candidates) {
    const id = typeof error === 'object' && error !== null ? requestIds.get(error) : undefined;
    if (id !== undefined) return id;
  }
  return undefined;
};

/** Apollo refuses some requests with a 4xx status but no code (a persisted query's hash or version): they are the caller's. */
function apolloRefusal(error: unknown): string | null {
  if (!(error instanceof GraphQLError) || error.originalError || error.extensions.code !== undefined) return null;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  return error.message === 'provided sha does not match query'
    ? 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query text sent with it'
    : error.message;
}

/** Apollo's answer when the request pipeline failed: it logged the cause through a plugin hook (with the request id) and replaced it. */
const isApolloReplacement = (error: unknown) =>
  error instanceof Error && !(error instanceof GraphQLError) && error.message === 'Internal server error';

/**
 * The single place where errors become what clients see: domain errors keep
 * their code, GraphQL's own errors pass, anything else is logged and hidden.
 */
export function createErrorFormatter(logger: Logger) {
  const format = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, reason: original.reason, ...(original.details ?? {}) },
      };
    }
    if (original instanceof AuthorizationError) {
      return {
        message: "This key's role may not do that",
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.FORBIDDEN },
      };
    }
    const code = String(formatted.extensions?.code ?? '');
    const armor = ARMOR_REASONS.find(([re]) => re.test(formatted.message));
    if (armor) {
      return {
        message: limitMessage(formatted.message),
        locations: formatted.locations,
        extensions: { code: ErrorCode.BAD_USER_INPUT, reason: armor[1] },
      };
    }
    if (code === 'PERSISTED_QUERY_NOT_SUPPORTED') {
      return { message: 'Persisted queries are turned off on this server: send the query text', extensions: { code } };
    }
    if (PASS_THROUGH.has(code) && (original instanceof GraphQLError || !(original instanceof Error))) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const refusal = apolloRefusal(error);
    if (refusal !== null) return { message: refusal, extensions: { code: 'BAD_REQUEST' } };
    if (!isApolloReplacement(original)) {
      const requestId = requestIdOfError(error, original, error instanceof GraphQLError ? error.originalError : undefined);
      logger.error({ err: original, ...(requestId && { requestId }) }, 'unexpected error in resolver');
    }
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const shaped = format(formatted, error);
    return shaped.message.length > QUOTED_CHARS ? { ...shaped, message: shortenInputs(shaped.message) } : shaped;
  };
}

const QUOTED_CHARS = 100;
const MESSAGE_CHARS = 1000;

/**
 * Messages quote what the client sent (a variable's value, a code, a literal): each quoted or
 * unbroken piece is cut to 100 characters and the message to 1,000, so a 10 MB input never comes
 * back. A plain scan, once over the message: regular expressions backtrack on megabytes.
 */
export function shortenInputs(message: string): string {
  const cut = (from: number, to: number) =>
    to - from > QUOTED_CHARS ? `${message.slice(from, from + QUOTED_CHARS)}…` : message.slice(from, to);
  let out = '';
  let i = 0;
  while (i < message.length && out.length <= MESSAGE_CHARS) {
    const quoted = message[i] === '"';
    let end = quoted ? i + 1 : i;
    if (quoted) while (end < message.length && message[end] !== '"') end += message[end] === '\\' ? 2 : 1;
    else while (end < message.length && message[end] !== '"' && message[end] !== ' ') end++;
    if (quoted) {
      out += `"${cut(i + 1, Math.min(end, message.length))}"`;
      i = end + 1;
    } else {
      out += cut(i, end) + (message[end] === ' ' ? ' ' : '');
      i = message[end] === ' ' ? end + 1 : end;
    }
  }
  return out.length > MESSAGE_CHARS || i < message.length ? `${out.slice(0, MESSAGE_CHARS)}…` : out;
}

const HTTP_STATUS: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.QUOTA_EXCEEDED]: 429,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.NOT_ENTITLED]: 403,
};

/** The same codes on the few plain HTTP routes (PDFs, webhooks): `{ error: { code, message } }` with a matching status. */
export function sendRestError(res: Response, err: unknown, logger: Logger): void {
  const code = err instanceof DomainError ? err.code : err instanceof GraphQLError ? String(err.extensions.code ?? '') : '';
  const status = HTTP_STATUS[code];
  if (status && err instanceof Error) {
    res.status(status).json({ error: { code, ...(err instanceof DomainError && { reason: err.reason }), message: err.message } });
    return;
  }
  logger.error({ err }, 'unexpected error on an HTTP route');
  res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
}
