import type { EntityManager } from 'typeorm';

/**
 * Carries "this organisation's usage changed" between server processes.
 * `announce` runs inside the writing transaction, `afterCommit` after it;
 * each implementation uses the one that fits its transport.
 */
export interface ChangeBus {
  /** A channel on which a NOTIFY sent inside the writing transaction announces the change; null where `announce` must be called. */
  readonly notifyChannel: string | null;
  announce(tx: EntityManager, organizationId: string): Promise<void>;
  afterCommit(organizationId: string): Promise<void>;
  /** `announce` for many messages at once (one statement, not one per message). */
  announceAll(tx: EntityManager, messages: string[]): Promise<void>;
  /** `afterCommit` for many messages at once. */
  afterCommitAll(messages: string[]): Promise<void>;
  onChange(handler: (organizationId: string) => void): void;
  start(): Promise<void>;
  close(): Promise<void>;
}
