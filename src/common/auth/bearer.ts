/** The key of an `Authorization: Bearer <key>` header; the scheme is required, in any letter case (RFC 7235). */
export function parseBearer(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1] ?? null;
}

/**
 * The key in graphql-ws `connectionParams`: `authorization` in any letter case (clients copy the HTTP header's
 * spelling), with the Bearer scheme or bare, since connectionParams are no HTTP header.
 */
export function connectionParamsKey(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  const name = Object.keys(params).find((key) => key.toLowerCase() === 'authorization');
  const value = name === undefined ? undefined : params[name];
  if (typeof value !== 'string') return null;
  return parseBearer(value) ?? /^\s*(\S+)\s*$/.exec(value)?.[1] ?? null;
}
