/** Opaque keyset cursors: base64url of a JSON array of the sort key. */
export const encodeCursor = (key: unknown[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string): unknown[] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A page from `first + 1` rows fetched in order: the extra row only says there is a next page. */
export function pageOf<T>(rows: T[], first: number, keyOf: (node: T) => unknown[]): Page<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** A cursor of [ISO timestamp, string id], or null when `after` is not one. */
export function timeCursor(after: string): [string, string] | null {
  const key = decodeCursor(after);
  return key && typeof key[0] === 'string' && typeof key[1] === 'string' && !Number.isNaN(Date.parse(key[0])) ? [key[0], key[1]] : null;
}
