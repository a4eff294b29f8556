/**
 * Each test file gets its own database (created and migrated here, dropped afterwards) and its own
 * Redis key prefix (its keys deleted afterwards). Nothing this did not create is ever dropped.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '@reminders/core/config';
import { ensureDatabase, maintenanceUrl } from '@reminders/core/db/database-url';
import { migrate } from '@reminders/core/db/migrator';

export const TEST_PG_BASE = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/**
 * db 9, not db 0: code that ignores the database REDIS_URL names (redlock's scripts SELECT db 0
 * unless told otherwise) then fails here instead of passing by accident.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/9';

export type TestEnv = {
  id: string;
  databaseUrl: string;
  redisPrefix: string;
  /** A Config for this test's database and prefix; `overrides` are raw env variables. */
  config: (overrides?: Record<string, string>) => Config;
  /** Environment variables for a child process (CLI, worker) pointed at this test's resources. */
  env: (overrides?: Record<string, string>) => Record<string, string>;
  destroy: () => Promise<void>;
};

export async function createTestEnv(opts: { migrate?: boolean } = {}): Promise<TestEnv> {
  const id = `t${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_PG_BASE);
  url.pathname = `/reminders_test_${id}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  if (opts.migrate !== false) await migrate(databaseUrl);
  const redisPrefix = `test-${id}`;
  const baseEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
  };
  const env = (overrides: Record<string, string> = {}) => ({ ...baseEnv, ...overrides });
  return {
    id,
    databaseUrl,
    redisPrefix,
    env,
    config: (overrides = {}) => loadConfig(env(overrides)),
    destroy: async () => {
      await dropDatabase(databaseUrl);
      await deleteRedisPrefix(redisPrefix);
    },
  };
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!name.startsWith('reminders_test_')) throw new Error(`refusing to drop ${name}: not a test database`);
  const client = new Client({ connectionString: maintenanceUrl(databaseUrl) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Deletes a test prefix's keys in the database `url` names (the suite's own by default). */
export async function deleteRedisPrefix(prefix: string, url: string = TEST_REDIS_URL): Promise<void> {
  if (!prefix.startsWith('test-')) throw new Error(`refusing to delete keys of ${prefix}: not a test prefix`);
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
