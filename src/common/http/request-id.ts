import { randomUUID } from 'node:crypto';

/** The header that names a request, in both directions: a proxy's id is kept, otherwise one is made. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids a proxy or client may choose (UUIDs, hex, base64url, dotted or colon-separated traces); anything else is replaced. */
const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request's id: the caller's `X-Request-Id` when it is sane, otherwise a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_ID.test(header) ? header : randomUUID();
}
