import { Listeners } from '../listeners';

describe('Listeners', () => {
  it('sends a value to every listener of its key only, and forgets a key once its last listener leaves', () => {
    const listeners = new Listeners<number>();
    const got: string[] = [];
    const removeA = listeners.add('org-a', (v) => got.push(`a1:${v}`));
    listeners.add('org-a', (v) => got.push(`a2:${v}`));
    const removeB = listeners.add('org-b', (v) => got.push(`b:${v}`));
    expect(listeners.emit('org-a', 1)).toBe(2);
    expect(got).toEqual(['a1:1', 'a2:1']);
    removeA();
    removeB();
    expect([listeners.has('org-a'), listeners.has('org-b')]).toEqual([true, false]);
    expect(listeners.emit('org-b', 2)).toBe(0);
  });
});
