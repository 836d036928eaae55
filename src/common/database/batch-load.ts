import type { ObjectLiteral, Repository } from 'typeorm';
import { In } from 'typeorm';

/** One query for a batch of keys; answers in the order DataLoader asked. */
export async function loadOne<T extends ObjectLiteral>(
  repo: Repository<T>,
  column: keyof T & string,
  keys: readonly string[],
): Promise<(T | null)[]> {
  const rows = await repo.find({ where: { [column]: In([...keys]) } as never });
  const byKey = new Map(rows.map((row) => [String(row[column]), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/** One query for a batch of parent keys; each parent gets its children, ordered by `orderBy`. */
export async function loadMany<T extends ObjectLiteral>(
  repo: Repository<T>,
  column: keyof T & string,
  keys: readonly string[],
  orderBy: keyof T & string,
): Promise<T[][]> {
  const rows = await repo.find({ where: { [column]: In([...keys]) } as never, order: { [orderBy]: 'ASC' } as never });
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(String(row[column]))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/** TypeORM answers an UPDATE … RETURNING with [rows, count]; this gives the rows. */
export async function updateReturning<T>(
  manager: { query(sql: string, params?: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result = (await manager.query(sql, params)) as [T[], number];
  return result[0];
}
