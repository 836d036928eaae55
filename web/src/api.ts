import { createClient, type Client, type FormattedExecutionResult, type Sink } from 'graphql-ws';
import type { TypedDocumentString } from './generated/graphql';

/**
 * The public API, called as any customer's front end would: same origin, bearer key, no private endpoints.
 * The operations are the documents in operations/, typed by `npm run codegen` into generated/graphql.ts.
 */

export type { AmountFragment as Money, OrganizationFieldsFragment as Organization, Role } from './generated/graphql';

/** A GraphQL or HTTP failure, with the API's stable `extensions.code` when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const bearer = (key: string) => `Bearer ${key}`;

/** One query or mutation over HTTP; throws ApiError with the first error's code. */
export async function request<TResult, TVariables>(
  key: string,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(key) },
      body: JSON.stringify({ query: String(document), variables }),
    });
  } catch {
    throw new ApiError('The server could not be reached.', 'NETWORK');
  }
  const body = (await res.json().catch(() => ({}))) as {
    data?: TResult | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  const [error] = body.errors ?? [];
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (!res.ok || !body.data) throw new ApiError(`The server answered ${res.status}.`, `HTTP_${res.status}`);
  return body.data;
}

/** graphql-ws close codes that retrying cannot fix: no key (4401) or a key the server refused (4403). */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

/**
 * The live socket on the same path as the API. It reconnects for ever with backoff, since a dashboard
 * is left open for hours; `onConnected` tells whether it is a reconnect, after which missed alerts are fetched.
 */
export function openLiveClient(key: string, events: { onConnected(reconnect: boolean): void; onClosed(final: boolean): void }): Client {
  let connectedBefore = false;
  return createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization: bearer(key) },
    retryAttempts: Infinity,
    shouldRetry: (event) => !(event instanceof CloseEvent && AUTH_CLOSE_CODES.has(event.code)),
    on: {
      connected: () => {
        events.onConnected(connectedBefore);
        connectedBefore = true;
      },
      closed: (event) => events.onClosed(event instanceof CloseEvent && AUTH_CLOSE_CODES.has(event.code)),
    },
  });
}

/**
 * An invoice PDF: the link needs the bearer key, so it is fetched and handed to the browser as a blob.
 * The path is requested from this origin, whatever host the server put in `pdfUrl` (localhost vs 127.0.0.1).
 */
export async function fetchPdf(key: string, pdfUrl: string): Promise<Blob> {
  const { pathname } = new URL(pdfUrl, location.href);
  const res = await fetch(pathname, { headers: { authorization: bearer(key) } });
  if (!res.ok) throw new ApiError(`The PDF could not be fetched (${res.status}).`, `HTTP_${res.status}`);
  return res.blob();
}

/** One subscription on the live socket, typed by its document. */
export function subscribe<TResult, TVariables extends Record<string, unknown>>(
  live: Client,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  sink: Sink<FormattedExecutionResult<TResult, unknown>>,
): void {
  live.subscribe({ query: String(document), variables }, sink);
}
