import { Field, ObjectType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CommonError, CommonErrorReason } from '../errors/common-error';

/** Relay's page info: whether more rows follow, and the cursor to ask for them with. */
@ObjectType({ description: 'Where a page ends: whether more follow, and the cursor to ask for them with.' })
export class PageInfo {
  @Field({ description: 'More items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "The last item's cursor: pass it as `after` for the next page; null on an empty page.",
  })
  endCursor!: string | null;
}

export interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
}

/**
 * A page that can also count the whole filtered list. `count` runs only when called: a connection's `totalCount`
 * field calls it, so a query that does not select the field costs no count.
 */
export interface CountedPage<T> extends Page<T> {
  count: () => Promise<number>;
}

/** A list's page sizes: `first` is `default` when left out, and 1 to `max`. */
export interface PageSize {
  default: number;
  max: number;
}

/**
 * The extensions key under which a connection type declares its PageSize
 * (`@Extensions({ [PAGE_SIZE_EXTENSION]: size })` on the class), for the query cost model to count its pages.
 */
export const PAGE_SIZE_EXTENSION = 'pageSize';

export const isPageSize = (value: unknown): value is PageSize =>
  typeof value === 'object' && value !== null && Number.isInteger((value as PageSize).default) && Number.isInteger((value as PageSize).max);

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

/** What a list's sort key looks like in a cursor: each part checked before it reaches SQL. */
export const CursorKey = {
  /** [ISO timestamp, id]: newest first, ties broken by id. */
  timeAndId: (key: unknown[]): key is [string, string] =>
    key.length === 2 && typeof key[0] === 'string' && !Number.isNaN(Date.parse(key[0])) && typeof key[1] === 'string',
  /** [bigint id as digits]. */
  serial: (key: unknown[]): key is [string] => key.length === 1 && typeof key[0] === 'string' && /^\d+$/.test(key[0]),
};

export interface PageRequest<K extends unknown[]> {
  first: number;
  /** The decoded cursor of the last row already seen, or null for the first page. */
  after: K | null;
}

/**
 * Checks a list's `first` and `after` once for every list: the page size
 * within 1..max, the cursor one this list hands out.
 */
export function pageRequest<K extends unknown[]>(
  first: number,
  after: string | null | undefined,
  max: number,
  isKey: (key: unknown[]) => key is K,
): PageRequest<K> {
  if (!Number.isInteger(first) || first < 1 || first > max)
    throw new CommonError(CommonErrorReason.INVALID_PAGE_SIZE, `first must be 1 to ${max}`);
  if (!after) return { first, after: null };
  const key = decodeCursor(after);
  if (!key || !isKey(key)) throw new CommonError(CommonErrorReason.INVALID_CURSOR, 'after is not a cursor of this list');
  return { first, after: key };
}

/** A page from `first + 1` rows fetched in order: the extra row only says there is a next page. */
export function pageOf<T>(rows: T[], first: number, keyOf: (node: T) => unknown[]): Page<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

/**
 * One keyset page of a query, newest first: `first + 1` rows after the cursor
 * in descending order of `columns` (a row-value comparison, so an index on the
 * same columns serves it), and the count of the whole filtered list, on demand.
 */
export async function keysetPage<E extends ObjectLiteral, K extends unknown[]>(
  qb: SelectQueryBuilder<E>,
  request: PageRequest<K>,
  columns: { [I in keyof K]: string },
  keyOf: (node: E) => K,
): Promise<CountedPage<E>> {
  const whole = qb.clone();
  if (request.after) {
    const names = request.after.map((_, i) => `keyset_${i}`);
    qb.andWhere(
      `(${columns.join(', ')}) < (${names.map((n) => `:${n}`).join(', ')})`,
      Object.fromEntries(names.map((n, i) => [n, request.after![i]])),
    );
  }
  columns.forEach((column, i) => (i === 0 ? qb.orderBy(column, 'DESC') : qb.addOrderBy(column, 'DESC')));
  const rows = await qb.take(request.first + 1).getMany();
  return { ...pageOf(rows, request.first, keyOf), count: () => whole.getCount() };
}
