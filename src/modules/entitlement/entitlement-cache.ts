/** A value and the time (ms) after which it must be read again; 0: never kept. */
export interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * Each organisation's value on this node: filled on first use, one read at a
 * time per organisation, dropped when a change is announced. A read that was
 * under way when its organisation changed is answered but not kept, so a value
 * from before a change never outlives the announcement.
 */
export class PerOrganizationCache<T> {
  private readonly entries = new Map<string, Expiring<T>>();
  private readonly loading = new Map<string, Promise<T>>();

  constructor(
    private readonly load: (organizationId: string) => Promise<Expiring<T>>,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(organizationId: string): Promise<T> {
    const entry = this.entries.get(organizationId);
    if (entry && entry.expiresAt > this.now()) return Promise.resolve(entry.value);
    return this.loading.get(organizationId) ?? this.fill(organizationId);
  }

  invalidate(organizationId: string): void {
    this.entries.delete(organizationId);
    this.loading.delete(organizationId);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private fill(organizationId: string): Promise<T> {
    const pending = this.load(organizationId).then(
      ({ value, expiresAt }) => {
        if (this.loading.get(organizationId) === pending) {
          this.loading.delete(organizationId);
          if (expiresAt > this.now()) this.keep(organizationId, { value, expiresAt });
        }
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(organizationId) === pending) this.loading.delete(organizationId);
        throw err;
      },
    );
    this.loading.set(organizationId, pending);
    return pending;
  }

  private keep(organizationId: string, entry: Expiring<T>): void {
    this.entries.delete(organizationId);
    // Maps iterate in insertion order: the first key is the one filled longest ago.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(organizationId, entry);
  }
}
