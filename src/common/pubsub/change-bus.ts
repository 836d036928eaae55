import type { EntityManager } from 'typeorm';

/**
 * Carries "this organisation's usage changed" between server processes.
 * Writers call `announceAll` inside the writing transaction and
 * `afterCommitAll` after it; each implementation acts in the one that fits
 * its transport.
 */
export interface ChangeBus {
  /**
   * A channel on which a NOTIFY sent inside the writing transaction announces
   * the change, for writers that fold it into their own statement; null where
   * `afterCommitAll` publishes it.
   */
  readonly notifyChannel: string | null;
  /** Announces messages inside the transaction, in one statement. */
  announceAll(tx: EntityManager, messages: string[]): Promise<void>;
  /** Announces messages once the transaction has committed. */
  afterCommitAll(messages: string[]): Promise<void>;
  onChange(handler: (organizationId: string) => void): void;
  start(): Promise<void>;
  close(): Promise<void>;
}
