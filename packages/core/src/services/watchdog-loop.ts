/**
 * Ticks the watchdog every WATCHDOG_INTERVAL_SECONDS in a worker or API process. Every process
 * runs this loop; a lease row in PostgreSQL (watchdog_state) makes one of them tick at a time, so
 * the watchdog keeps watching as long as any process is up (the API included, when all workers
 * are down) and while Redis is down: its mutual exclusion needs only the database.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import type { WatchdogStateRepository } from '../repositories/watchdog-state-repository';

export type WatchdogLoopOptions = {
  state: WatchdogStateRepository;
  /** The row's key (the sweep's job name). */
  jobName: string;
  /** Names this process on the lease (a random suffix keeps two processes of one WORKER_ID apart). */
  holder: string;
  /** WATCHDOG_INTERVAL_SECONDS; the lease lasts twice this and is renewed while a tick lasts. */
  intervalSeconds: number;
  tick: () => Promise<unknown>;
  logger: Logger;
};

export function startWatchdogLoop(opts: WatchdogLoopOptions): { stop(): void } {
  const holder = `${opts.holder}#${randomBytes(3).toString('hex')}`;
  const ttlMs = opts.intervalSeconds * 2000;
  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    let renew: NodeJS.Timeout | null = null;
    try {
      if (!(await opts.state.takeLease(opts.jobName, holder, ttlMs))) return;
      renew = setInterval(() => void opts.state.takeLease(opts.jobName, holder, ttlMs).catch(() => undefined), ttlMs / 3);
      await opts.tick();
    } catch (err) {
      opts.logger.error({ err }, 'watchdog tick failed');
    } finally {
      if (renew) {
        clearInterval(renew);
        await opts.state.releaseLease(opts.jobName, holder).catch(() => undefined);
      }
      ticking = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalSeconds * 1000);
  return { stop: () => clearInterval(timer) };
}
