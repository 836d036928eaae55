import type { Worker } from 'node:cluster';

/*
 * A worker whose event loop is stuck (a runaway computation, a stopped
 * process) still holds its share of the port and answers nothing. It sends a
 * heartbeat over the cluster channel from a timer, which only fires when its
 * loop turns; the main process kills one that went silent too long, and the
 * worker pool starts another.
 */

export const HEARTBEAT = 'meterly-heartbeat';

export interface HeartbeatMessage {
  kind: typeof HEARTBEAT;
}

/** Beats often enough that a few lost to a busy moment never add up to `blockedMs`. */
function beatEvery(blockedMs: number): number {
  return Math.max(20, Math.floor(blockedMs / 5));
}

/** In a worker: heartbeats to the main process until it exits. */
export function sendHeartbeats(blockedMs: number): void {
  const message: HeartbeatMessage = { kind: HEARTBEAT };
  setInterval(() => process.send?.(message), beatEvery(blockedMs)).unref();
}

/** In the main process: calls `onBlocked` once for each watched worker silent longer than `blockedMs`. */
export function watchHeartbeats(blockedMs: number, onBlocked: (worker: Worker) => void) {
  const lastBeat = new Map<Worker, number>();
  const every = beatEvery(blockedMs);
  let lastCheck = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    // This timer ran late: the main process itself was stuck, and the beats it has not read yet are no evidence.
    const late = now - lastCheck > blockedMs / 2;
    lastCheck = now;
    if (late) {
      for (const worker of lastBeat.keys()) lastBeat.set(worker, now);
      return;
    }
    for (const [worker, beat] of lastBeat) {
      if (now - beat <= blockedMs) continue;
      lastBeat.delete(worker);
      onBlocked(worker);
    }
  }, every);
  timer.unref();
  return {
    /** From now on (a worker that is ready), until it exits. */
    watch(worker: Worker): void {
      lastBeat.set(worker, Date.now());
      worker.on('message', (message: { kind?: string }) => {
        if (message.kind === HEARTBEAT && lastBeat.has(worker)) lastBeat.set(worker, Date.now());
      });
      worker.once('exit', () => lastBeat.delete(worker));
    },
    stop(): void {
      clearInterval(timer);
      lastBeat.clear();
    },
  };
}
