import { CommonErrorReason } from '../../errors/common-error';
import { CursorKey, decodeCursor, encodeCursor, pageOf, pageRequest } from '../pagination';

const reasonOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { reason?: string }).reason;
  }
  return undefined;
};

describe('pagination', () => {
  it('round-trips a cursor and refuses what is not one', () => {
    const key = ['2026-11-01T00:00:00.000Z', 'b3f7'];
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    expect(decodeCursor('%%%')).toBeNull();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeNull();
  });

  it('checks the page size against the list maximum', () => {
    expect(pageRequest(100, null, 100, CursorKey.serial)).toEqual({ first: 100, after: null });
    for (const first of [0, -1, 101, 1.5, Number.NaN]) {
      expect(reasonOf(() => pageRequest(first, null, 100, CursorKey.serial))).toBe(CommonErrorReason.INVALID_PAGE_SIZE);
    }
    expect(() => pageRequest(0, null, 200, CursorKey.serial)).toThrow('first must be 1 to 200');
  });

  it("accepts only cursors of the list's own key shape", () => {
    const time = encodeCursor(['2026-11-01T00:00:00.000Z', '42']);
    const serial = encodeCursor(['42']);
    expect(pageRequest(5, time, 100, CursorKey.timeAndId).after).toEqual(['2026-11-01T00:00:00.000Z', '42']);
    expect(pageRequest(5, serial, 100, CursorKey.serial).after).toEqual(['42']);
    const shapes: Array<[string, (key: unknown[]) => key is unknown[]]> = [
      [serial, CursorKey.timeAndId],
      [time, CursorKey.serial],
      [encodeCursor(['not a date', '42']), CursorKey.timeAndId],
      [encodeCursor(['2026-11-01T00:00:00.000Z', 42]), CursorKey.timeAndId],
      [encodeCursor(['4e2']), CursorKey.serial],
      ['garbage', CursorKey.serial],
    ];
    for (const [after, isKey] of shapes) {
      expect(reasonOf(() => pageRequest(5, after, 100, isKey))).toBe(CommonErrorReason.INVALID_CURSOR);
    }
  });

  it('pages from first + 1 rows: the extra row only says a next page exists', () => {
    const rows = [{ id: '3' }, { id: '2' }, { id: '1' }];
    const page = pageOf(rows, 2, (r) => [r.id]);
    expect(page.edges.map((e) => e.node.id)).toEqual(['3', '2']);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor(['2']) });
    const last = pageOf(rows.slice(2), 2, (r) => [r.id]);
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor(['1']) });
    expect(pageOf([], 2, (r: { id: string }) => [r.id]).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
