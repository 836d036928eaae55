/** Listeners grouped by key (an organisation), for fanning one value out to all of a key's subscribers. */
export class Listeners<T> {
  private readonly byKey = new Map<string, Set<(value: T) => void>>();

  /** Adds a listener; the returned function removes it. */
  add(key: string, listener: (value: T) => void): () => void {
    const set = this.byKey.get(key) ?? new Set();
    set.add(listener);
    this.byKey.set(key, set);
    return () => {
      set.delete(listener);
      // Only this set: after it emptied, the key may hold a new one.
      if (set.size === 0 && this.byKey.get(key) === set) this.byKey.delete(key);
    };
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Sends the value to every listener of the key; returns how many got it. */
  emit(key: string, value: T): number {
    const set = this.byKey.get(key);
    for (const listener of set ?? []) listener(value);
    return set?.size ?? 0;
  }
}
