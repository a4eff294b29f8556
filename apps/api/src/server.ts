/** Listens on HOST:PORT, ticks the watchdog, and closes cleanly on SIGINT / SIGTERM. */
import type { Config } from '@reminders/core/config';
import { createLogger } from '@reminders/core/logger';
import { SWEEP_SCHEDULER_ID } from '@reminders/core/jobs/job-catalog';
import { startWatchdogLoop } from '@reminders/core/services/watchdog-loop';
import { buildApp } from './app';
import { createApiRoot } from './composition';

export type ServerOptions = {
  /**
   * Tick the watchdog every WATCHDOG_INTERVAL_SECONDS (one process at a time, shared with the
   * workers), so that an outage of every worker is still noticed (`no_workers`).
   * @defaultValue true
   */
  watchdog?: boolean;
};

export async function runServer(config: Config, opts: ServerOptions = {}): Promise<void> {
  const logger = createLogger(config, { name: 'api' });
  const root = createApiRoot({ config, logger });
  const app = await buildApp({ root });
  let closing = false;
  let watchdogLoop: { stop(): void } | null = null;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'api stopping');
    watchdogLoop?.stop();
    await app.close();
    await root.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ host: config.host, port: config.port });
  if (opts.watchdog !== false) {
    watchdogLoop = startWatchdogLoop({ state: root.repositories.watchdogState, jobName: SWEEP_SCHEDULER_ID, holder: `api:${config.workerId}`, intervalSeconds: config.watchdog.intervalSeconds, tick: () => root.services.watchdog.tick(), logger });
  }
}
