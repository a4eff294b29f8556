/**
 * Redis connections from REDIS_URL. Accepted forms:
 *   redis://[:password@]host:port[/db]       a single server (rediss:// for TLS)
 *   redis+sentinel://[:password@]h1:p1,h2:p2/masterName   a Sentinel deployment
 *   redis+cluster://[:password@]h1:p1,h2:p2               a Cluster (set REDIS_PREFIX to a {hash tag})
 */
import { Redis, Cluster, type RedisOptions } from 'ioredis';

export type RedisConnection = Redis | Cluster;

type Parsed =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; nodes: { host: string; port: number }[]; name: string; password?: string; db?: number }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; password?: string };

export function parseRedisUrl(url: string): Parsed {
  const m = /^(redis\+sentinel|redis\+cluster):\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/?#]+)(?:\/([^/?#]*))?(?:\/(\d+))?/.exec(url);
  if (!m) return { kind: 'single', url };
  const [, scheme, password, hosts, name, db] = m;
  const nodes = hosts!.split(',').map((h) => {
    const [host, port] = h.split(':');
    return { host: host!, port: Number(port ?? (scheme === 'redis+sentinel' ? 26379 : 6379)) };
  });
  const pw = password ? decodeURIComponent(password) : undefined;
  if (scheme === 'redis+cluster') return { kind: 'cluster', nodes, password: pw };
  if (!name) throw new Error('REDIS_URL redis+sentinel:// must end with /<master name>');
  return { kind: 'sentinel', nodes, name, password: pw, db: db ? Number(db) : undefined };
}

/**
 * A new connection. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands);
 * pass `{ forQueue: true }` for producers so a Redis outage fails fast instead of hanging.
 */
export function createRedis(url: string, opts: { forQueue?: boolean; lazyConnect?: boolean } = {}): RedisConnection {
  const base: RedisOptions = {
    maxRetriesPerRequest: opts.forQueue ? 3 : null,
    enableReadyCheck: true,
    lazyConnect: opts.lazyConnect ?? false,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
  const p = parseRedisUrl(url);
  if (p.kind === 'single') return new Redis(url, base);
  if (p.kind === 'sentinel') return new Redis({ ...base, sentinels: p.nodes, name: p.name, password: p.password, db: p.db });
  return new Cluster(p.nodes, { redisOptions: { ...base, password: p.password } });
}
