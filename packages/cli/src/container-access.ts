/** The full composition root (Postgres + Redis) for operations commands; closed after the command. */
import os from 'node:os';
import pino from 'pino';
import { loadConfig } from '@reminders/core/config';
import { createContainer, type Container } from '@reminders/core/container';
import { createLogger } from '@reminders/core/logger';
import { toCliError } from './cli-errors';

export async function withContainer<T>(fn: (c: Container) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config, { name: 'cli', destination: pino.destination(2) });
  const c = createContainer({ config, logger });
  try {
    return await fn(c);
  } catch (err) {
    throw toCliError(err);
  } finally {
    await c.close();
  }
}

export const defaultActor = () => `cli:${os.userInfo().username}`;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
