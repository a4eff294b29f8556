/** Start-up checks that say which dependency is missing, where we looked, and how to start it. */
import { Client } from 'pg';
import { redactUrl, type Config } from './config';
import { createRedis } from './redis';

export class PreflightError extends Error {
  override name = 'PreflightError';
}

export async function checkPostgres(databaseUrl: string, maintenance: string): Promise<void> {
  const client = new Client({ connectionString: maintenance, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new PreflightError(
      `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (${(err as Error).message || (err as { code?: string }).code}). ` +
        `Start it (on Debian: pg_ctlcluster 15 main start; with Docker: docker compose up -d postgres) or set DATABASE_URL.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(config: Pick<Config, 'redisUrl'>): Promise<void> {
  const redis = createRedis(config.redisUrl, { lazyConnect: true, forQueue: true });
  redis.on('error', () => undefined);
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 5 s')), 5_000).unref()),
    ]);
  } catch (err) {
    throw new PreflightError(
      `Cannot reach Redis at ${redactUrl(config.redisUrl)} (${(err as Error).message}). ` +
        `Start it (redis-server --daemonize yes; with Docker: docker compose up -d redis) or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}
