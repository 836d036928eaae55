type Part = string | number;

/** Values keyed by a tuple of strings and numbers, in one Map per part; `values` in the order they were added. */
export class NestedMap<T> {
  readonly values: T[] = [];
  private readonly root = new Map<Part, unknown>();

  get(key: readonly Part[]): T | undefined {
    let level: unknown = this.root;
    for (const part of key) {
      level = (level as Map<Part, unknown>).get(part);
      if (level === undefined) return undefined;
    }
    return level as T;
  }

  /** Adds the value of a key not yet present. */
  add(key: readonly Part[], value: T): void {
    let level = this.root;
    for (let i = 0; i < key.length - 1; i++) {
      let next = level.get(key[i]!) as Map<Part, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(key[i]!, next);
      }
      level = next;
    }
    level.set(key[key.length - 1]!, value);
    this.values.push(value);
  }
}
