import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/error-code';

/** What a body-parser failure carries: the HTTP status and a stable type. */
interface BodyError {
  status?: unknown;
  type?: unknown;
}

const MESSAGES: Record<string, string> = {
  'entity.too.large': 'The request body is too large',
  'request.aborted': 'The request body was not received whole',
  'request.size.invalid': 'The request body does not match its Content-Length',
  'encoding.unsupported': "The request body's encoding is not supported",
  'charset.unsupported': "The request body's charset is not supported",
};

/**
 * The error handler of a plain HTTP route (the Stripe webhook): a body that could
 * not be read answers in the routes' JSON shape, `{ error: { code, message } }`,
 * with body-parser's status (400, 413, 415), instead of Express's HTML page.
 */
export function restBodyErrors(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const { status, type } = (err ?? {}) as BodyError;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = (typeof type === 'string' && MESSAGES[type]) || 'The request body could not be read';
      res.status(status).json({ error: { code: ErrorCode.BAD_USER_INPUT, message } });
      return;
    }
    logger.error({ err }, 'unexpected error on an HTTP route');
    res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } });
  };
}
