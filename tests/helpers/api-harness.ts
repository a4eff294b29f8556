/**
 * The API in-process (no port) on a test's own database and Redis prefix, with an injected clock
 * and one token per role. With `workers: true` it shares a container with in-process dispatch
 * workers, so `sweep()` runs a real sweep that the same clock drives.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Writable } from 'node:stream';
import { buildApp } from '@reminders/api/app';
import { ROLES, type Role } from '@reminders/core/auth/roles';
import { createManualClock } from '@reminders/core/clock';
import { createContainer } from '@reminders/core/container';
import { createLogger } from '@reminders/core/logger';
import { startHarness } from './sweep-harness';
import type { TestEnv } from './test-env';

export type ApiHarness = Awaited<ReturnType<typeof startApiHarness>>;

export async function startApiHarness(
  env: TestEnv,
  opts: { now: string; workers?: boolean; sweepWorker?: boolean; authFailures?: { max?: number; windowMs?: number }; logTo?: Writable; overrides?: Record<string, string>; tokenCache?: { ttlMs?: number; monotonicMs?: () => number }; tokenNames?: string },
) {
  let stopWorkers: (() => Promise<void>) | null = null;
  let c;
  let clock;
  if (opts.workers) {
    const h = await startHarness(env, { now: opts.now, overrides: opts.overrides, sweepWorker: opts.sweepWorker });
    c = h.c;
    clock = h.clock;
    stopWorkers = h.stop;
  } else {
    const config = env.config(opts.overrides);
    clock = createManualClock(opts.now);
    const logger = opts.logTo ? createLogger({ ...config, logLevel: 'info' }, { destination: opts.logTo }) : createLogger(config);
    c = createContainer({ config, logger, clock });
  }
  const app = await buildApp({ root: c, authFailures: opts.authFailures ?? { max: 10_000 }, tokenCache: opts.tokenCache });
  await app.ready();

  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) tokens[role] = (await c.services.tokens.create({ name: `${opts.tokenNames ?? 'test'}-${role}`, role, createdBy: 'test' })).token;

  return {
    app,
    c,
    prisma: c.prisma,
    clock,
    tokens,
    /** app.inject with `as` a role's bearer token (or a raw Authorization value). */
    call: (o: InjectOptions & { as?: Role | { authorization: string } }): Promise<LightMyRequestResponse> => {
      const { as, ...rest } = o;
      const auth = as === undefined ? {} : typeof as === 'string' ? { authorization: `Bearer ${tokens[as]}` } : as;
      return app.inject({ ...rest, headers: { ...(rest.headers ?? {}), ...auth } });
    },
    sweep: () => c.services.sweepRun.run({ trigger: 'manual', triggeredBy: 'test' }),
    close: async () => {
      await app.close();
      if (stopWorkers) await stopWorkers();
      else await c.close();
    },
  };
}
