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
  [/cost limit/i, 'MAX_COST'],
  [/token limit/i, 'MAX_TOKENS'],
  [/directives limit/i, 'MAX_DIRECTIVES'],
];

/**
 * The single place where errors become what clients see: domain errors keep
 * their code, GraphQL's own errors pass, anything else is logged and hidden.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
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
        message: formatted.message,
        locations: formatted.locations,
        extensions: { code: ErrorCode.BAD_USER_INPUT, reason: armor[1] },
      };
    }
    if (PASS_THROUGH.has(code) && (original instanceof GraphQLError || !(original instanceof Error))) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: original }, 'unexpected error in resolver');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

const HTTP_STATUS: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.QUOTA_EXCEEDED]: 429,
  [ErrorCode.RATE_LIMITED]: 429,
};

/** The same codes on the few plain HTTP routes (PDFs, webhooks): `{ error: { code, message } }` with a matching status. */
export function sendRestError(res: Response, err: unknown, logger: Logger): void {
  const code = err instanceof DomainError ? err.code : err instanceof GraphQLError ? String(err.extensions.code ?? '') : '';
  const status = HTTP_STATUS[code];
  if (status && err instanceof Error) {
    res.status(status).json({ error: { code, message: err.message } });
    return;
  }
  logger.error({ err }, 'unexpected error on an HTTP route');
  res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
}
