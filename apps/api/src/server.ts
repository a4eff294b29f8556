/** Listens on HOST:PORT and closes cleanly on SIGINT / SIGTERM. */
import type { Config } from '@reminders/core/config';
import { createContainer } from '@reminders/core/container';
import { createLogger } from '@reminders/core/logger';
import { buildApp } from './app';

export async function runServer(config: Config): Promise<void> {
  const logger = createLogger(config, { name: 'api' });
  const container = createContainer({ config, logger });
  const app = await buildApp({ container });
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'api stopping');
    await app.close();
    await container.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ host: config.host, port: config.port });
}
