/**
 * Postgres-only services for commands that need no Redis (token, correct-contact): the same
 * factories the API's container uses, so the CLI and the API share one code path.
 */
import pino from 'pino';
import { systemClock } from '@reminders/core/clock';
import { loadConfig } from '@reminders/core/config';
import { createDataServices, type DataServices } from '@reminders/core/data-services';
import { createPrisma } from '@reminders/core/db/prisma';
import { createRegistrationPool } from '@reminders/core/db/registration-pool';
import { createLogger } from '@reminders/core/logger';

export async function withDataServices<T>(fn: (s: DataServices['services'], config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Logs go to stderr: stdout carries the command's answer (a new token, JSON).
  const logger = createLogger(config, { name: 'cli', destination: pino.destination(2) });
  const prisma = createPrisma(config.databaseUrl, { max: 2 });
  // Connects only if a command registers activities (none does today).
  const registrationPool = createRegistrationPool(config.databaseUrl, { max: 1 });
  try {
    return await fn(createDataServices({ prisma, registrationPool, config, clock: systemClock, logger }).services, config);
  } finally {
    await Promise.all([prisma.$disconnect(), registrationPool.end()]);
  }
}
