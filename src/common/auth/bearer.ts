/** The key of an `Authorization: Bearer <key>` value (also accepted bare over graphql-ws). */
export function parseBearer(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(value);
  return match?.[1] ?? null;
}
