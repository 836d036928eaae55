import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { namedStatement } from '../../common/database/pg-array';

/** `lastUsedAt` is kept to about this precision: a key in constant use is written once per interval, not per request. */
export const LAST_USED_PRECISION_MS = 60_000;

/** How often the uses noted since the last write are written, in one statement for all keys. */
const FLUSH_INTERVAL_MS = 1_000;

/** Forward only: two nodes writing the same key keep the later time. */
const TOUCH = namedStatement(
  ['ids', 'ats'],
  (p) => `UPDATE api_keys k SET last_used_at = u.at
            FROM unnest(${p.ids}::uuid[], ${p.ats}::timestamptz[]) AS u(id, at)
           WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
);

/**
 * Records when each key was last used without a write per request: `used` only
 * notes the time in memory (once per key and interval of LAST_USED_PRECISION_MS),
 * and a timer writes what was noted, set-based, off every request's path.
 */
export class ApiKeyUsage {
  /** Uses noted and not written yet: key id → time. */
  private pending = new Map<string, Date>();
  /** When each key's use was last noted: a key is noted again only a precision later. */
  private readonly noted = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {}

  used(apiKeyId: string, now = Date.now()): void {
    const last = this.noted.get(apiKeyId);
    if (last !== undefined && now - last < LAST_USED_PRECISION_MS) return;
    this.noted.set(apiKeyId, now);
    this.pending.set(apiKeyId, new Date(now));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush();
    }, FLUSH_INTERVAL_MS).unref();
  }

  /** Writes the uses noted so far; a failure is logged, and those keys are noted again at their next use. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    // Entries older than the precision no longer hold anything back; dropping them bounds the map by the keys in use.
    const horizon = Date.now() - LAST_USED_PRECISION_MS;
    for (const [id, at] of this.noted) if (at < horizon) this.noted.delete(id);
    try {
      await this.db.query(TOUCH.text, TOUCH.values({ ids: [...batch.keys()], ats: [...batch.values()].map((d) => d.toISOString()) }));
    } catch (err) {
      this.logger.warn({ err, keys: batch.size }, 'the last use of API keys was not recorded');
      for (const id of batch.keys()) this.noted.delete(id);
    }
  }

  /** Writes what is pending and stops the timer (a node closing). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }
}
