import type { Logger } from 'pino';
import type { BillingService } from './billing.service';

/** Runs the billing cycle every `seconds`; one run at a time, failures logged and retried next tick. */
export function startBillingScheduler(billing: BillingService, seconds: number, logger: Logger): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await billing.runScheduled();
    } catch (err) {
      logger.error({ err }, 'scheduled billing run failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), seconds * 1000);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
