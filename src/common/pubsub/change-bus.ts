/**
 * Carries "this organisation's usage changed" between server processes.
 * Writers NOTIFY on `notifyChannel` inside their writing statement where
 * the bus has one, and call `afterCommitAll` after the commit, where a bus
 * without one publishes.
 */
export interface ChangeBus {
  /**
   * A channel on which a NOTIFY sent inside the writing transaction announces
   * the change, for writers that fold it into their own statement; null where
   * `afterCommitAll` publishes it.
   */
  readonly notifyChannel: string | null;
  /** Announces messages once the transaction has committed. */
  afterCommitAll(messages: string[]): Promise<void>;
  onChange(handler: (organizationId: string) => void): void;
  start(): Promise<void>;
  close(): Promise<void>;
}
