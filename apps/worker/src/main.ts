/** Runs the worker process until SIGINT / SIGTERM. */
import type { Config } from '@reminders/core/config';
import { createLogger } from '@reminders/core/logger';
import { createWorkerApp } from './worker-app';

export async function runWorker(config: Config): Promise<void> {
  const logger = createLogger(config, { name: 'worker' });
  const app = createWorkerApp({ config, logger });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping: finishing in-flight jobs');
    await app.stop();
    logger.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await app.start();
}
