import { PerOrganizationCache } from '../entitlement-cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PerOrganizationCache', () => {
  const FAR = Number.MAX_SAFE_INTEGER;

  it('reads an organisation once, for concurrent callers too, until it is invalidated', async () => {
    let reads = 0;
    const cache = new PerOrganizationCache(async (id) => ({ value: `${id}#${++reads}`, expiresAt: FAR }));
    expect(await Promise.all([cache.get('a'), cache.get('a')])).toEqual(['a#1', 'a#1']);
    expect(await cache.get('a')).toBe('a#1');
    cache.invalidate('a');
    expect(await cache.get('a')).toBe('a#2');
  });

  it('does not keep a read that was under way when the organisation changed', async () => {
    const reads = [deferred<string>(), deferred<string>()];
    let n = 0;
    const cache = new PerOrganizationCache(async () => ({ value: await reads[n++]!.promise, expiresAt: FAR }));
    const stale = cache.get('a');
    cache.invalidate('a');
    const fresh = cache.get('a');
    reads[0]!.resolve('before');
    reads[1]!.resolve('after');
    expect(await stale).toBe('before');
    expect(await fresh).toBe('after');
    expect(await cache.get('a')).toBe('after');
  });

  it('reads again after an entry expires, and never keeps one that expires at once', async () => {
    let now = 1000;
    let reads = 0;
    const cache = new PerOrganizationCache(
      async (id) => ({ value: ++reads, expiresAt: id === 'sim' ? 0 : 2000 }),
      10,
      () => now,
    );
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('a')).toBe(1);
    now = 2000;
    expect(await cache.get('a')).toBe(2);
    expect(await cache.get('sim')).toBe(3);
    expect(await cache.get('sim')).toBe(4);
  });

  it('forgets a failed read and drops the oldest entry when full', async () => {
    let fail = true;
    let reads = 0;
    const cache = new PerOrganizationCache(async (id) => {
      if (fail) throw new Error('down');
      return { value: `${id}#${++reads}`, expiresAt: FAR };
    }, 2);
    await expect(cache.get('a')).rejects.toThrow('down');
    fail = false;
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    expect(cache.size).toBe(2);
    expect(await cache.get('a')).toBe('a#4');
  });
});
