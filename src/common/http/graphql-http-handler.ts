import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { noteRequestId } from '../errors/format-error';
import type { CorsPolicy } from './cors';
import { jsonBodyReader } from './json-body';
import type { PreparedQueryLane } from './prepared-query-lane';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id';

/** What a body-parser failure carries: the HTTP status and a stable type. */
interface BodyError {
  status?: number;
  type?: string;
  message: string;
}

/**
 * Apollo Server on plain node:http. Express 5 gives every request and
 * response a new prototype (Object.setPrototypeOf), after which V8 copied
 * each request's objects through young-generation collections and promoted
 * them: 10 to 18 MB copied per scavenge and 10 to 25 ms pauses, against 1 KB
 * and 0.1 ms without. Those pauses were the API's latency tail, so /graphql
 * bypasses Express; the other routes keep it.
 *
 * The context (the API key) is made before the body is read: a caller
 * without a valid key gets its 401 without the server reading, let alone
 * parsing, what it sent. Bodies past `bodyLimitBytes` are refused with 413.
 * Every answer names its request (`X-Request-Id`), and browsers on the
 * allowed origins get CORS headers and their preflights answered. A query
 * a client repeats is answered by the prepared-query lane when it can be.
 */
export function graphqlHttpHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  context: (req: IncomingMessage) => Promise<TContext>,
  bodyLimitBytes: number,
  logger: Logger,
  cors: CorsPolicy,
  lane: PreparedQueryLane,
): (req: IncomingMessage, res: ServerResponse) => void {
  const parseJson = jsonBodyReader(bodyLimitBytes);
  const failed = (res: ServerResponse, requestId: string) => (failure: unknown) => {
    // Apollo answers GraphQL errors itself: this is a broken stream or a bug here.
    logger.error({ err: failure, requestId }, 'GraphQL over HTTP failed');
    if (res.headersSent) res.destroy();
    else res.writeHead(500).end();
  };
  return (req, res) => {
    const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    res.setHeader('X-Request-Id', requestId);
    // Usage and invoices change with every event: no cache may keep an answer.
    res.setHeader('Cache-Control', 'no-store');
    if (cors.handle(req, res)) return;
    const contextValue = context(req);
    contextValue.then(
      () =>
        parseJson(req, res, (err?: unknown) => {
          if (err) sendBodyError(res, err as BodyError);
          else {
            lane
              .answer(req, res, (req as IncomingMessage & { body?: unknown }).body, contextValue, requestId)
              .then((answered) => (answered ? undefined : respond(apollo, () => contextValue, req, res, requestId)))
              .catch(failed(res, requestId));
          }
        }),
      (refusal: unknown) => {
        // A failure that is not a refusal (the database is down) is logged by the error formatter, with this id.
        noteRequestId([refusal], requestId);
        // Apollo shapes the refusal as before; the unread body is not worth keeping the connection for.
        if (hasBody(req)) res.setHeader('Connection', 'close');
        respond(apollo, () => contextValue, req, res, requestId, false).catch(failed(res, requestId));
      },
    );
  };
}

const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

async function respond<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  context: () => Promise<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  withBody = true,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  // The plugins read the id from here (graphqlHttpPlugin), the one it was answered with.
  headers.set(REQUEST_ID_HEADER, requestId);
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: query < 0 ? '' : url.slice(query),
      body: withBody ? (req as IncomingMessage & { body?: unknown }).body : undefined,
    },
    context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Unreadable bodies answer in GraphQL's error shape, with body-parser's status (400, 413, 415). */
function sendBodyError(res: ServerResponse, err: BodyError): void {
  const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  const message =
    err.type === 'entity.too.large'
      ? 'The request body is too large'
      : status === 415
        ? "The request body's charset or encoding is not supported"
        : 'The request body is not valid JSON';
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }));
}
