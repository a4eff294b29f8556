/**
 * REDIS_URL, parsed without connecting. Accepted forms:
 *   redis://[user:pass@]host[:port][/db]                          one server (rediss:// for TLS)
 *   redis+sentinel://[user:pass@]h1:p1,h2:p2/masterName[/db]     a Sentinel deployment
 *   redis+cluster://[user:pass@]h1:p1,h2:p2                       a Cluster (REDIS_PREFIX needs a {hash tag})
 * `rediss+sentinel://` and `rediss+cluster://` use TLS to every node (and every sentinel).
 * Hosts may be names, IPv4 or bracketed IPv6 (`[::1]:7000`). The user:pass applies to the Redis
 * nodes; sentinels that need their own password take `?sentinelPassword=...` (and
 * `sentinelUsername`). The WHATWG URL parser refuses several hosts in one authority, hence this.
 */

export type RedisNode = { host: string; port: number };

export type ParsedRedisUrl =
  | { kind: 'single'; url: string; db: number; tls: boolean }
  | {
      kind: 'sentinel';
      nodes: RedisNode[];
      name: string;
      db: number;
      tls: boolean;
      username?: string;
      password?: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
    }
  | { kind: 'cluster'; nodes: RedisNode[]; db: 0; tls: boolean; username?: string; password?: string };

/** A malformed REDIS_URL; the message is one line, safe to print (it never holds the password). */
export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

/** redlock's scripts SELECT their db and only accept 0-15 (Redis' default `databases 16`). */
export const MAX_REDIS_DB = 15;

export const REDIS_URL_SCHEMES = ['redis://', 'rediss://', 'redis+sentinel://', 'rediss+sentinel://', 'redis+cluster://', 'rediss+cluster://'] as const;

const MULTI = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;

export function parseRedisUrl(url: string): ParsedRedisUrl {
  const m = MULTI.exec(url);
  if (!m) return parseSingle(url);
  const [, scheme, , userinfo, hostList = '', path = '', query = ''] = m;
  const kind = m[2] as 'sentinel' | 'cluster';
  const tls = scheme === 'rediss';
  const nodes = parseNodes(hostList, kind === 'sentinel' ? 26379 : 6379, kind);
  const creds = parseUserinfo(userinfo);
  const params = new URLSearchParams(query);
  const allowed = kind === 'sentinel' ? ['sentinelPassword', 'sentinelUsername'] : [];
  for (const k of params.keys()) {
    if (!allowed.includes(k)) throw new RedisUrlError(`${kind} URL has an unknown parameter "${k}"${allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`);
  }
  const segments = path.split('/').filter((s) => s !== '');
  if (kind === 'cluster') {
    if (segments.length > 1 || (segments.length === 1 && segments[0] !== '0')) {
      throw new RedisUrlError('redis+cluster:// takes no path: a Cluster has only database 0 (write redis+cluster://host1:port1,host2:port2)');
    }
    return { kind, nodes, db: 0, tls, ...creds };
  }
  if (segments.length === 0) throw new RedisUrlError('redis+sentinel:// must name the master after the hosts: redis+sentinel://h1:26379,h2:26379/mymaster[/db]');
  if (segments.length > 2) throw new RedisUrlError('redis+sentinel:// path must be /<master name>[/<db>]');
  const name = decodeURIComponent(segments[0]!);
  const db = segments[1] === undefined ? 0 : parseDb(segments[1]);
  const sentinelUsername = params.get('sentinelUsername') ?? undefined;
  const sentinelPassword = params.get('sentinelPassword') ?? undefined;
  return { kind, nodes, name, db, tls, ...creds, ...(sentinelUsername ? { sentinelUsername } : {}), ...(sentinelPassword ? { sentinelPassword } : {}) };
}

function parseSingle(url: string): ParsedRedisUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(`must be a URL starting with ${REDIS_URL_SCHEMES.join(' or ')}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisUrlError(`must be a URL starting with ${REDIS_URL_SCHEMES.join(' or ')}`);
  if (!u.hostname) throw new RedisUrlError('must name a host, e.g. redis://127.0.0.1:6379');
  const segments = u.pathname.split('/').filter((s) => s !== '');
  if (segments.length > 1) throw new RedisUrlError('path must be at most /<db>, e.g. redis://127.0.0.1:6379/3');
  return { kind: 'single', url, db: segments[0] === undefined ? 0 : parseDb(segments[0]), tls: u.protocol === 'rediss:' };
}

function parseDb(s: string): number {
  if (!/^\d{1,3}$/.test(s) || Number(s) > MAX_REDIS_DB) {
    throw new RedisUrlError(`database must be a number from 0 to ${MAX_REDIS_DB} (the sweep lock's scripts SELECT it), got "${s}"`);
  }
  return Number(s);
}

function parseNodes(list: string, defaultPort: number, kind: string): RedisNode[] {
  if (list === '') throw new RedisUrlError(`${kind} URL names no hosts: write host1:port1,host2:port2`);
  return list.split(',').map((entry) => {
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/.exec(entry);
    if (!m) throw new RedisUrlError(`${kind} URL has a malformed host "${entry}" (write host:port, or [ipv6]:port)`);
    const port = m[3] === undefined ? defaultPort : Number(m[3]);
    if (port < 1 || port > 65535) throw new RedisUrlError(`${kind} URL has a port out of range in "${entry}"`);
    return { host: (m[1] ?? m[2])!, port };
  });
}

function parseUserinfo(userinfo: string | undefined): { username?: string; password?: string } {
  if (!userinfo) return {};
  const i = userinfo.indexOf(':');
  // "pass@" alone (no colon) is taken as a password, as ioredis does for redis://pass@host.
  const [user, pass] = i < 0 ? ['', userinfo] : [userinfo.slice(0, i), userinfo.slice(i + 1)];
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new RedisUrlError('has a malformed %-escape in its user or password');
    }
  };
  return { ...(user ? { username: decode(user) } : {}), ...(pass ? { password: decode(pass) } : {}) };
}

/** The URL with its passwords replaced by ***, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  return url
    .replace(/^([a-z+]+:\/\/)([^@/?#]*)@/i, (_, scheme: string, info: string) => {
      const i = info.indexOf(':');
      return `${scheme}${i < 0 ? '***' : `${info.slice(0, i)}:***`}@`;
    })
    .replace(/([?&]sentinelPassword=)[^&#]*/g, '$1***');
}
