/**
 * Redis connections from REDIS_URL (forms in redis-url.ts): one server, a Sentinel deployment or
 * a Cluster. ioredis' Cluster and Sentinel options differ from a plain client's, so each is built
 * here and nowhere else.
 */
import { Redis, Cluster, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url';

export { parseRedisUrl } from './redis-url';

export type RedisConnection = Redis | Cluster;

/**
 * Errors a failover answers with on a connection that still points at the old node: a demoted
 * primary (READONLY), a promoted one still loading its data (LOADING), a blocking command cut
 * short by the role change (UNBLOCKED). Reconnect and resend (2) rather than fail the command:
 * a BullMQ worker whose blocking poll keeps failing on the old node stops taking jobs.
 */
const FAILOVER_ERRORS = /^(READONLY|LOADING|UNBLOCKED)\b/;
const reconnectOnError = (err: Error): 2 | false => (FAILOVER_ERRORS.test(err.message) ? 2 : false);
/** TCP keepalive, so a peer that vanished without closing its socket is noticed. */
const KEEP_ALIVE_MS = 10_000;

/**
 * A new connection. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands);
 * pass `{ forQueue: true }` for producers so a Redis outage fails fast instead of hanging.
 */
export function createRedis(url: string, opts: { forQueue?: boolean; lazyConnect?: boolean } = {}): RedisConnection {
  const lazyConnect = opts.lazyConnect ?? false;
  const base: RedisOptions = {
    maxRetriesPerRequest: opts.forQueue ? 3 : null,
    enableReadyCheck: true,
    lazyConnect,
    keepAlive: KEEP_ALIVE_MS,
    reconnectOnError,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
  const p = parseRedisUrl(url);
  if (p.kind === 'single') return new Redis(url, { ...base, db: p.db });
  if (p.kind === 'sentinel') {
    return new Redis({
      ...base,
      sentinels: p.nodes,
      name: p.name,
      db: p.db,
      username: p.username,
      password: p.password,
      sentinelUsername: p.sentinelUsername,
      sentinelPassword: p.sentinelPassword,
      ...(p.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      // Subscribe to +switch-master so a failover is noticed at once, not at the next error.
      failoverDetector: true,
    });
  }
  return new Cluster(p.nodes, {
    // lazyConnect is the Cluster's own option: inside redisOptions it is ignored and the cluster
    // connects at once, so a later connect() fails with "Redis is already connecting/connected".
    lazyConnect,
    enableReadyCheck: true,
    clusterRetryStrategy: (times) => Math.min(times * 200, 5_000),
    // A failover (cluster-node-timeout plus an election) takes seconds: keep redirecting and
    // retrying through it rather than failing the command after 16 quick tries.
    maxRedirections: 64,
    retryDelayOnFailover: 250,
    retryDelayOnClusterDown: 250,
    retryDelayOnTryAgain: 250,
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      maxRetriesPerRequest: base.maxRetriesPerRequest,
      keepAlive: KEEP_ALIVE_MS,
      reconnectOnError,
      username: p.username,
      password: p.password,
      ...(p.tls ? { tls: {} } : {}),
    },
  });
}

/** The database a connection works in (a Cluster has only db 0). The lock's scripts must SELECT it. */
export function redisDb(redis: RedisConnection): number {
  if (redis instanceof Cluster) return 0;
  return Number(redis.options.db ?? 0);
}
