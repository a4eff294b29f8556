/**
 * No Docker engine runs where these tests run, so docker-compose.yml and the Dockerfile are proven
 * here: the properties the design promises (AOF, noeviction, 2 workers, healthchecks, start order)
 * and that the environment they set is one the service accepts. Where the `docker compose` plugin
 * is installed, its own `config -q` validates the file too.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Worker } from 'bullmq';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '@reminders/core/config';
import { DISPATCH_QUEUE } from '@reminders/core/jobs/job-catalog';
import { createRedis } from '@reminders/core/redis';
import { WORKER_HEAP_FLAGS, workerHeapFlags } from '@reminders/core/worker-heap';
import { deleteRedisPrefix, TEST_REDIS_URL } from '../helpers/test-env';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

type DependsOn = string[] | Record<string, { condition?: string }>;
type Service = {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: DependsOn;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  deploy?: { replicas?: number };
  profiles?: string[];
  ports?: (string | { target: number })[];
  restart?: string;
  stop_grace_period?: string;
  user?: string;
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const composeText = readFileSync(COMPOSE_FILE, 'utf8');
// Compose resolves YAML merge keys (`<<: *env`); the yaml package does so only when asked.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services;

/** Compose's interpolation with nothing set in the shell: `${A:-x}` / `${A-x}` give x, `$$` gives `$`. */
function interpolate(value: string): string {
  return value.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\})/g, (_m, body: string, _name, def?: string) =>
    body === '$' ? '$' : (def ?? ''),
  );
}

function environmentOf(name: string): Record<string, string> {
  const env = services[name]?.environment ?? {};
  const pairs = Array.isArray(env) ? env.map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]) : Object.entries(env);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v === null || v === undefined ? '' : String(v))]));
}

function dependencies(name: string): Record<string, string> {
  const deps = services[name]?.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v?.condition ?? 'service_started']));
}

/** One-shot services: others wait for them to exit successfully. */
const oneShot = new Set(
  Object.keys(services).flatMap((s) =>
    Object.entries(dependencies(s))
      .filter(([, c]) => c === 'service_completed_successfully')
      .map(([d]) => d),
  ),
);

/** True when `name` waits for `target` to be healthy, directly or through a one-shot service that does. */
function waitsHealthy(name: string, target: string, seen = new Set<string>()): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  return Object.entries(dependencies(name)).some(
    ([dep, condition]) =>
      (dep === target && condition === 'service_healthy') ||
      (condition === 'service_completed_successfully' && waitsHealthy(dep, target, seen)),
  );
}

/** Runs a healthcheck's `node -e` script the way the container would (cwd = the app root); resolves its exit code. */
function runProbe(service: string, env: Record<string, string>): Promise<number> {
  const [kind, cmd, flag, script] = asArgs(services[service]!.healthcheck!.test);
  expect([kind, cmd, flag]).toEqual(['CMD', 'node', '-e']);
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script!], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 }, (err) =>
      resolve(err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0),
    );
  });
}

const asArgs = (command: string | string[] | undefined): string[] =>
  Array.isArray(command) ? command.map(String) : (command ?? '').split(/\s+/).filter(Boolean);

describe('docker-compose.yml', () => {
  it('defines postgres, redis, migrate, api and worker', () => {
    for (const s of ['postgres', 'redis', 'migrate', 'api', 'worker']) expect(services).toHaveProperty(s);
    expect(services.postgres!.image).toMatch(/^postgres:(1[5-9]|[2-9]\d)\b/);
    expect(services.redis!.image).toMatch(/^redis:[7-9]\b/);
  });

  it('runs Redis with AOF persistence and noeviction (BullMQ must never lose keys)', () => {
    const args = asArgs(services.redis!.command).join(' ');
    expect(args).toMatch(/--appendonly yes\b/);
    expect(args).toMatch(/--maxmemory-policy noeviction\b/);
  });

  it('keeps Postgres and Redis data in named volumes', () => {
    const volumeOf = (s: string) => (services[s] as { volumes?: string[] }).volumes?.map((v) => v.split(':')[0]) ?? [];
    expect(volumeOf('postgres').some((v) => v && compose.volumes && v in compose.volumes)).toBe(true);
    expect(volumeOf('redis').some((v) => v && compose.volumes && v in compose.volumes)).toBe(true);
  });

  it('runs each role of the app image with the CLI', () => {
    const expected: Record<string, string> = { migrate: 'migrate', api: 'serve-api', worker: 'serve-worker' };
    for (const [name, sub] of Object.entries(expected)) {
      const args = asArgs(services[name]!.command);
      expect(args.slice(-2)).toEqual(['reminders', sub]);
      expect(services[name]!.build).toBeDefined();
      expect(services[name]!.user ?? 'node').not.toMatch(/^(root|0)(:|$)/);
    }
    expect(oneShot).toEqual(new Set(['migrate']));
    expect(services.migrate!.restart ?? 'no').toBe('no');
  });

  it("starts the worker with its heap caps (worker-heap.ts) and the image's source maps", () => {
    const options = environmentOf('worker').NODE_OPTIONS?.split(/\s+/) ?? [];
    expect(options).toEqual(expect.arrayContaining(['--enable-source-maps', ...WORKER_HEAP_FLAGS]));
    expect(workerHeapFlags([], environmentOf('worker').NODE_OPTIONS)).toEqual([]);
  });

  it('runs two workers that get time to finish in-flight jobs on shutdown', () => {
    expect(services.worker!.deploy?.replicas).toBe(2);
    const grace = /^(\d+)s$/.exec(services.worker!.stop_grace_period ?? '');
    expect(Number(grace?.[1] ?? 0)).toBeGreaterThanOrEqual(30);
  });

  it('gives every long-running service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      if (oneShot.has(name)) continue;
      const test = asArgs(service.healthcheck?.test);
      expect({ name, disabled: service.healthcheck?.disable === true }).toEqual({ name, disabled: false });
      expect({ name, kind: test[0] }).toEqual({ name, kind: expect.stringMatching(/^CMD(-SHELL)?$/) });
    }
    expect(asArgs(services.api!.healthcheck!.test).join(' ')).toMatch(/\/(readyz|healthz)\b/);
  });

  it("the api's healthcheck passes only while /readyz answers 200", async () => {
    let ready = true;
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/readyz' && ready ? 200 : 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as AddressInfo).port);
    try {
      expect(await runProbe('api', { PORT: port })).toBe(0);
      ready = false;
      expect(await runProbe('api', { PORT: port })).not.toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("the worker's healthcheck passes only while a BullMQ worker of this host is connected", async () => {
    expect(asArgs(services.worker!.healthcheck!.test).join(' ')).toContain(`'${DISPATCH_QUEUE}'`);
    const prefix = `test-hc${randomBytes(4).toString('hex')}`;
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix };
    const connection = createRedis(TEST_REDIS_URL);
    const worker = new Worker(DISPATCH_QUEUE, async () => undefined, { connection, prefix, name: 'probe-test' });
    try {
      await worker.waitUntilReady();
      // The blocking connection names itself just after `ready`; Docker retries the same way.
      let code = -1;
      for (let attempt = 0; attempt < 20 && code !== 0; attempt++) {
        if (attempt) await new Promise((resolve) => setTimeout(resolve, 100));
        code = await runProbe('worker', env);
      }
      expect(code).toBe(0);
      await worker.close();
      expect(await runProbe('worker', env)).not.toBe(0);
      expect(await runProbe('worker', { ...env, REDIS_URL: 'redis://127.0.0.1:1' })).not.toBe(0);
    } finally {
      await worker.close();
      connection.disconnect();
      await deleteRedisPrefix(prefix);
    }
  });

  it('starts api and worker only after Postgres and Redis are healthy and migrations succeeded', () => {
    expect(dependencies('migrate').postgres).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect({ name, postgres: waitsHealthy(name, 'postgres'), redis: waitsHealthy(name, 'redis') }).toEqual({ name, postgres: true, redis: true });
      expect(dependencies(name).migrate).toBe('service_completed_successfully');
    }
  });

  it('does not make the default stack depend on a profile-only service', () => {
    const profiled = new Set(Object.keys(services).filter((s) => services[s]!.profiles?.length));
    for (const [name, service] of Object.entries(services)) {
      if (service.profiles?.length) continue;
      for (const dep of Object.keys(dependencies(name))) expect({ name, dep, profiled: profiled.has(dep) }).toEqual({ name, dep, profiled: false });
    }
  });

  it('publishes the API on container port 3000', () => {
    const ports = (services.api!.ports ?? []).map((p) => (typeof p === 'string' ? interpolate(p) : `${p.target}`));
    expect(ports.some((p) => /(^|:)3000(\/tcp)?$/.test(p))).toBe(true);
  });

  it('sets only variables the service reads (or the Postgres image reads)', () => {
    for (const name of Object.keys(services)) {
      for (const variable of Object.keys(environmentOf(name))) {
        const known = CONFIG_VARIABLES.includes(variable) || (name === 'postgres' && variable.startsWith('POSTGRES_')) || (name === 'worker' && variable === 'NODE_OPTIONS');
        expect({ service: name, variable, known }).toEqual({ service: name, variable, known: true });
      }
    }
  });

  it('uses only interpolations that have a default, so it works without an .env file', () => {
    const withoutEscapes = composeText.replace(/\$\$/g, '');
    const uses = withoutEscapes.match(/\$(\{[^}]*\}|[^{])?/g) ?? [];
    for (const use of uses) expect(use).toMatch(/^\$\{[A-Za-z_][A-Za-z0-9_]*:?-[^}]*\}$/);
  });

  it('gives api, worker and migrate an environment that loadConfig accepts, pointing at the compose services', () => {
    const api = loadConfig(environmentOf('api'));
    expect(api.host).toBe('0.0.0.0');
    expect(api.port).toBe(3000);
    expect(api.nodeEnv).toBe('production');
    for (const name of ['api', 'worker', 'migrate']) {
      const config = loadConfig(environmentOf(name));
      expect(new URL(config.databaseUrl).hostname).toBe('postgres');
      expect(new URL(config.databaseUrl).pathname).toBe(`/${environmentOf('postgres').POSTGRES_DB}`);
      expect(new URL(config.redisUrl).hostname).toBe('redis');
      expect(config.reminderTz).toBe('Europe/Oslo');
    }
    // The worker's healthcheck finds its connection by prefix; the api and worker must agree on it.
    expect(loadConfig(environmentOf('worker')).redisPrefix).toBe(api.redisPrefix);
  });

  it('is accepted by `docker compose config` where the compose plugin is installed', () => {
    const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
    if (hasCompose) {
      const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });
});

describe('Dockerfile', () => {
  const dockerfilePath = path.join(ROOT, 'Dockerfile');
  const dockerfile = existsSync(dockerfilePath) ? readFileSync(dockerfilePath, 'utf8') : '';
  // Instructions with their continuation lines joined; comments dropped.
  const instructions = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const indexOf = (re: RegExp) => instructions.findIndex((l) => re.test(l));
  const npmCi = indexOf(/^RUN\b.*\bnpm ci\b/);

  it('exists and builds and runs on Node 24 LTS', () => {
    expect(dockerfile).not.toBe('');
    const from = instructions.filter((l) => /^FROM\s/i.test(l));
    expect(from.length).toBeGreaterThan(0);
    for (const f of from) expect(f).toMatch(/^FROM\s+node:24[\w.-]*(\s|$)/);
  });

  it('runs the compiled build: production dependencies, dist/ and the migrations, no sources', () => {
    const runtime = instructions.slice(instructions.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true));
    expect(instructions.some((l) => /^RUN\s.*\bnpm run build\b/.test(l))).toBe(true);
    expect(runtime.some((l) => /^RUN\b.*\bnpm ci --omit=dev\b/.test(l))).toBe(true);
    expect(runtime).toContain('COPY --from=build /app/dist dist/');
    expect(runtime).toContain('COPY prisma/migrations prisma/migrations/');
    expect(runtime.some((l) => /^COPY\s+\.\s+\.$/.test(l) || /\bsrc\b/.test(l))).toBe(false);
  });

  it('installs from the lock file with npm ci, after copying what the install needs', () => {
    expect(npmCi).toBeGreaterThan(-1);
    const before = instructions.slice(0, npmCi).filter((l) => /^COPY\s/.test(l));
    const copies = (file: string) => before.some((l) => l.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--')).some((src) => src === file || file.startsWith(`${src.replace(/\/$/, '')}/`)));
    const workspaces = ['apps', 'packages'].flatMap((dir) =>
      readdirSync(path.join(ROOT, dir)).filter((w) => existsSync(path.join(ROOT, dir, w, 'package.json'))).map((w) => `${dir}/${w}/package.json`),
    );
    for (const file of ['package.json', 'package-lock.json', 'prisma/schema.prisma', 'scripts/prisma-generate.js', ...workspaces]) {
      expect({ file, copied: copies(file) }).toEqual({ file, copied: true });
    }
    expect(instructions.slice(npmCi).some((l) => /^COPY\s+\.\s+\.$/.test(l))).toBe(true);
  });

  it('runs in production mode as a non-root user', () => {
    expect(instructions.some((l) => /^ENV\s.*\bNODE_ENV=production\b/.test(l))).toBe(true);
    const user = instructions.filter((l) => /^USER\s/.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
  });

  it('bakes in no secrets and keeps them out of the build context', () => {
    const declared = instructions.filter((l) => /^(ENV|ARG)\s/.test(l)).flatMap((l) => l.split(/\s+/).slice(1).map((kv) => kv.split('=')[0]!));
    for (const name of declared) expect(name).not.toMatch(/PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL|REDIS_URL|SMTP_URL|WEBHOOK/i);
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    for (const entry of ['.env', '**/node_modules', 'packages/core/src/generated']) expect(ignored).toContain(entry);
  });
});
