import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** How long a registered query is kept after its last registration, in seconds (clients register again on a miss). */
export const PERSISTED_QUERY_TTL_SECONDS = 24 * 3600;
/** Most queries kept in PostgreSQL; past it, those expiring first are dropped. */
export const PERSISTED_QUERY_MAX_ROWS = 10_000;
/** Longest query text kept: a longer one still runs when sent in full, it is just not remembered. */
export const PERSISTED_QUERY_MAX_CHARS = 100_000;
/** How often a process drops expired rows, at most. */
const PRUNE_EVERY_MS = 60_000;

/** Apollo's KeyValueCache, as its `persistedQueries.cache` uses it (keys are `apq:<sha256>`), and a way to let go of it. */
export interface PersistedQueryCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
  close(): Promise<void>;
}

/**
 * The texts behind persisted-query hashes, shared by every process and node: a hash registered on one is found
 * on the others. A hash names its text, so an entry never goes stale and each process keeps the ones it met in
 * memory too. A store that fails is a miss (the client sends the text again), never a failed request.
 */
abstract class SharedQueryCache implements PersistedQueryCache {
  private readonly local = new LRUCache<string, string>({
    maxSize: 16 * 1024 * 1024,
    sizeCalculation: (text) => Math.max(1, text.length),
    ttl: PERSISTED_QUERY_TTL_SECONDS * 1000,
  });

  constructor(protected readonly logger: Logger) {}

  protected abstract read(key: string): Promise<string | undefined>;
  protected abstract write(key: string, value: string, ttlSeconds: number): Promise<void>;
  protected abstract remove(key: string): Promise<void>;
  abstract close(): Promise<void>;

  async get(key: string): Promise<string | undefined> {
    const known = this.local.get(key);
    if (known !== undefined) return known;
    try {
      const text = await this.read(key);
      if (text !== undefined) this.local.set(key, text);
      return text;
    } catch (err) {
      this.logger.warn({ err }, 'persisted query store unreachable: answered as a miss');
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    if (value.length > PERSISTED_QUERY_MAX_CHARS) return;
    this.local.set(key, value);
    const ttl = Math.min(options?.ttl ?? PERSISTED_QUERY_TTL_SECONDS, PERSISTED_QUERY_TTL_SECONDS);
    try {
      await this.write(key, value, ttl);
    } catch (err) {
      this.logger.warn({ err }, 'persisted query not stored');
    }
  }

  async delete(key: string): Promise<boolean> {
    this.local.delete(key);
    await this.remove(key);
    return true;
  }
}

/** In PostgreSQL's `persisted_queries`, bounded by TTL and row count, pruned by whichever process registers. */
export class PostgresQueryCache extends SharedQueryCache {
  private lastPruned = 0;

  constructor(
    private readonly db: DataSource,
    logger: Logger,
  ) {
    super(logger);
  }

  protected async read(key: string): Promise<string | undefined> {
    const rows = (await this.db.query('SELECT query FROM persisted_queries WHERE key = $1 AND expires_at > now()', [key])) as Array<{
      query: string;
    }>;
    return rows[0]?.query;
  }

  protected async write(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.db.query(
      `INSERT INTO persisted_queries (key, query, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [key, value, ttlSeconds],
    );
    if (Date.now() - this.lastPruned >= PRUNE_EVERY_MS) {
      this.lastPruned = Date.now();
      await this.prune();
    }
  }

  protected async remove(key: string): Promise<void> {
    await this.db.query('DELETE FROM persisted_queries WHERE key = $1', [key]);
  }

  /** Drops expired rows, then all but the `PERSISTED_QUERY_MAX_ROWS` that expire last. */
  async prune(): Promise<void> {
    await this.db.query('DELETE FROM persisted_queries WHERE expires_at <= now()');
    await this.db.query(
      `DELETE FROM persisted_queries WHERE key IN (SELECT key FROM persisted_queries ORDER BY expires_at DESC OFFSET $1)`,
      [PERSISTED_QUERY_MAX_ROWS],
    );
  }

  async close(): Promise<void> {}
}

/** In Redis (REDIS_URL), each key with its TTL; Redis's own memory policy bounds the rest. */
export class RedisQueryCache extends SharedQueryCache {
  private readonly redis: Redis;

  constructor(url: string, logger: Logger) {
    super(logger);
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    this.redis.on('error', (err) => logger.warn({ err }, 'redis connection error (persisted queries)'));
  }

  protected async read(key: string): Promise<string | undefined> {
    return (await this.redis.get(`meterly:${key}`)) ?? undefined;
  }

  protected async write(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`meterly:${key}`, value, 'EX', ttlSeconds);
  }

  protected async remove(key: string): Promise<void> {
    await this.redis.del(`meterly:${key}`);
  }

  async close(): Promise<void> {
    // A client that never connected (lazyConnect) has nothing to say goodbye on.
    if (this.redis.status === 'wait') this.redis.disconnect();
    else await this.redis.quit().catch(() => undefined);
  }
}
