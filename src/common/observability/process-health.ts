/**
 * What the main process knows about the processes serving behind it: workers
 * it replaced and restarts of the embedded PostgreSQL. /healthz reports it;
 * the main process sends it to every worker over the cluster channel, so
 * whichever worker answers tells the same. Absent where no main process
 * supervises this one (a server embedded in tests).
 */
export interface ProcessHealth {
  workersReplaced: number;
  lastWorkerReplacement: WorkerReplacement | null;
  databaseRestarts: number;
  /** ISO time of the last restart of the embedded PostgreSQL. */
  lastDatabaseRestart: string | null;
}

export interface WorkerReplacement {
  worker: string;
  /** blocked: its event loop stopped answering heartbeats and it was killed; exited: it died by itself. */
  reason: 'blocked' | 'exited';
  at: string;
}

export const NO_REPLACEMENTS: ProcessHealth = {
  workersReplaced: 0,
  lastWorkerReplacement: null,
  databaseRestarts: 0,
  lastDatabaseRestart: null,
};

// One per process, like the process it describes.
let current: ProcessHealth | null = null;

export function setProcessHealth(health: ProcessHealth): void {
  current = health;
}

export function processHealth(): ProcessHealth | null {
  return current;
}
