/** Fails fast, with the fix, when the services the tests need are not running. */
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { TEST_PG_BASE, TEST_REDIS_URL } from './test-env';

export default async function globalSetup(): Promise<void> {
  const pg = new Client({ connectionString: TEST_PG_BASE, connectionTimeoutMillis: 5000 });
  try {
    await pg.connect();
    await pg.end();
  } catch (err) {
    throw new Error(`tests need PostgreSQL at ${TEST_PG_BASE}: ${(err as Error).message}. Start it (see README) or set TEST_DATABASE_URL.`, { cause: err });
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`tests need Redis at ${TEST_REDIS_URL}: ${(err as Error).message}. Start it (see README) or set TEST_REDIS_URL.`, { cause: err });
  } finally {
    redis.disconnect();
  }
}
