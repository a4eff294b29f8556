/**
 * REDIS_URL's multi-node forms (finding 9): the README's Sentinel and Cluster examples were refused
 * by a WHATWG URL check. Accepted forms parse to what ioredis needs; malformed ones are one line
 * naming REDIS_URL, and no message or redacted URL shows the password.
 */
import { loadConfig, ConfigError, redactUrl } from '@reminders/core/config';
import { parseRedisUrl } from '@reminders/core/redis-url';

const refusal = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

it.each([
  ['redis+cluster://node-1:7000,node-2:7001', { kind: 'cluster', nodes: [{ host: 'node-1', port: 7000 }, { host: 'node-2', port: 7001 }], db: 0, tls: false }],
  ['redis+sentinel://h1:26379,h2:26379/mymaster', { kind: 'sentinel', nodes: [{ host: 'h1', port: 26379 }, { host: 'h2', port: 26379 }], name: 'mymaster', db: 0, tls: false }],
  ['redis+sentinel://h1,h2/mymaster/4', { kind: 'sentinel', nodes: [{ host: 'h1', port: 26379 }, { host: 'h2', port: 26379 }], name: 'mymaster', db: 4 }],
  ['rediss+cluster://app:s%40cret@[::1]:7000,[fd00::2]:7001', { kind: 'cluster', nodes: [{ host: '::1', port: 7000 }, { host: 'fd00::2', port: 7001 }], tls: true, username: 'app', password: 's@cret' }],
  ['rediss+sentinel://:pw@10.0.0.1:26379/main?sentinelPassword=spw', { kind: 'sentinel', tls: true, password: 'pw', sentinelPassword: 'spw', name: 'main' }],
  ['redis://127.0.0.1:6379/3', { kind: 'single', db: 3, tls: false }],
  ['rediss://:pw@[::1]:6380', { kind: 'single', db: 0, tls: true }],
])('%s is accepted', (url, expected) => {
  expect(parseRedisUrl(url)).toMatchObject(expected);
  expect(loadConfig({ REDIS_URL: url, REDIS_PREFIX: '{reminders}' }).redisUrl).toBe(url);
});

it.each([
  ['redis+cluster://', /REDIS_URL cluster URL names no hosts/],
  ['redis+cluster://a:7000,,b:7001', /REDIS_URL cluster URL has a malformed host ""/],
  ['redis+cluster://a:70000', /REDIS_URL cluster URL has a port out of range in "a:70000"/],
  ['redis+cluster://[::1:7000', /REDIS_URL cluster URL has a malformed host "\[::1:7000"/],
  ['redis+cluster://a:7000/3', /REDIS_URL redis\+cluster:\/\/ takes no path: a Cluster has only database 0/],
  ['redis+cluster://a:7000?tls=1', /REDIS_URL cluster URL has an unknown parameter "tls"/],
  ['redis+sentinel://h1:26379,h2:26379', /REDIS_URL redis\+sentinel:\/\/ must name the master/],
  ['redis+sentinel://h1:26379/mymaster/99', /REDIS_URL database must be a number from 0 to 15 .*got "99"/],
  ['redis://127.0.0.1:6379/16', /REDIS_URL database must be a number from 0 to 15/],
  ['redis://127.0.0.1:6379/a/b', /REDIS_URL path must be at most \/<db>/],
  ['http://127.0.0.1:6379', /REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\/ or redis\+sentinel:\/\//],
])('%s is refused with one line naming REDIS_URL', (url, message) => {
  const err = refusal({ REDIS_URL: url });
  expect(err.variable).toBe('REDIS_URL');
  expect(err.message).toMatch(message);
  expect(err.message).not.toContain('\n');
});

it('never puts the password in a refusal or a redacted URL', () => {
  const err = refusal({ REDIS_URL: 'redis+cluster://app:hunter2@a:7000,b:bad' });
  expect(err.message).toMatch(/malformed host "b:bad"/);
  expect(err.message).not.toContain('hunter2');
  expect(redactUrl('redis+cluster://app:hunter2@a:7000,b:7001')).toBe('redis+cluster://app:***@a:7000,b:7001');
  expect(redactUrl('rediss+sentinel://:hunter2@h1:26379/m?sentinelPassword=hunter3')).toBe('rediss+sentinel://:***@h1:26379/m?sentinelPassword=***');
  expect(redactUrl('redis://:hunter2@127.0.0.1:6379/2')).not.toContain('hunter2');
});

it('refuses a Cluster URL whose REDIS_PREFIX has no {hash tag}, naming REDIS_PREFIX', () => {
  const err = refusal({ REDIS_URL: 'redis+cluster://a:7000,b:7001' });
  expect(err.variable).toBe('REDIS_PREFIX');
  expect(err.message).toBe(
    'Invalid configuration: REDIS_PREFIX must contain a {hash tag} such as {reminders} when REDIS_URL is a Cluster (every key of a queue must be in one slot), got "reminders"',
  );
  expect(refusal({ REDIS_URL: 'redis+cluster://a:7000', REDIS_PREFIX: '{}x' }).variable).toBe('REDIS_PREFIX');
  expect(loadConfig({ REDIS_URL: 'redis+cluster://a:7000', REDIS_PREFIX: 'app-{reminders}' }).redisPrefix).toBe('app-{reminders}');
  // A single server or Sentinel has no slots: any prefix.
  expect(loadConfig({ REDIS_URL: 'redis+sentinel://h1/m' }).redisPrefix).toBe('reminders');
});
