/**
 * An in-process worker (dispatch workers, optionally the sweep worker) on a test's own database
 * and Redis prefix, with an injected clock. `run()` performs one sweep through the real service.
 */
import { createManualClock } from '@reminders/core/clock';
import { createLogger } from '@reminders/core/logger';
import type { RunRequest } from '@reminders/core/services/sweep-run-service';
import { createWorkerApp } from '@reminders/worker/worker-app';
import { createContainer } from '@reminders/core/container';
import type { TestEnv } from './test-env';

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(
  env: TestEnv,
  opts: { now: string; overrides?: Record<string, string>; startWorkers?: boolean; sweepWorker?: boolean } = { now: '2026-11-28T06:00:00Z' },
) {
  const config = env.config({ LOCK_TTL_MS: '3000', DISPATCH_RETRY_BACKOFF_MS: '5', ...opts.overrides });
  const logger = createLogger(config);
  const clock = createManualClock(opts.now);
  // One all-in-one container, so an API built over the same harness shares it (api-harness.ts).
  const app = createWorkerApp({ config, logger, clock, registerSchedule: false, sweep: opts.sweepWorker ?? false, watchdog: false, programmeTick: false, root: (isShuttingDown) => createContainer({ config, logger, clock, isShuttingDown }) });
  let started = false;
  const startWorkers = async () => {
    if (started) return;
    started = true;
    await app.start();
  };
  if (opts.startWorkers !== false) await startWorkers();
  const c = app.container as ReturnType<typeof createContainer>;
  return {
    config,
    clock,
    app,
    c,
    prisma: c.prisma,
    redis: () => c.redis,
    startWorkers,
    run: (req: RunRequest = { trigger: 'manual', triggeredBy: 'test' }) => c.services.sweepRun.run(req),
    stop: () => app.stop(),
  };
}
