/**
 * The worker process: the sweep worker (runs a whole sweep per job) and the dispatch worker
 * (one reminder per job), plus the boot-time schedule registration.
 */
import { Worker } from 'bullmq';
import type { Clock } from '@reminders/core/clock';
import { createRepeatFilter } from '@reminders/core/log-dedupe';
import type { Config } from '@reminders/core/config';
import { DISPATCH_QUEUE, SWEEP_QUEUE, SWEEP_SCHEDULER_ID } from '@reminders/core/jobs/job-catalog';
import type { Logger } from '@reminders/core/logger';
import { createRedis } from '@reminders/core/redis';
import { HEARTBEAT_INTERVAL_MS } from '@reminders/core/repositories/worker-registry';
import { startWatchdogLoop } from '@reminders/core/services/watchdog-loop';
import { sendAtOfCron } from '@reminders/core/domain/programme';
import { createDispatchProcessor, createSweepProcessor } from './processors';
import { createWorkerRoot, type WorkerRoot } from './composition';
import { createStallGuard, type StallGuard } from './stall-guard';
import { heapLimitMb } from '@reminders/core/worker-heap';

/** How often the stall guards look, and how long a waiting job may sit before an idle worker under them counts as stuck. */
const STALL_CHECK_MS = 5_000;
const STALL_IDLE_MS = 15_000;

export type WorkerAppOptions = {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Register / verify the job scheduler on start. @defaultValue true */
  registerSchedule?: boolean;
  /** Run the sweep worker in this process. @defaultValue true */
  sweep?: boolean;
  /** Tick the watchdog every WATCHDOG_INTERVAL_SECONDS (one process at a time, API included). @defaultValue true */
  watchdog?: boolean;
  /** Run the programme tick every PROGRAMME_TICK_SECONDS (services/programme-tick.ts; every worker may). @defaultValue true */
  programmeTick?: boolean;
  /**
   * A root built elsewhere (tests run the API and a worker over one all-in-one container); the
   * app then stops it as its own. @defaultValue createWorkerRoot(...)
   */
  root?: (isShuttingDown: () => boolean) => WorkerRoot;
};

export function createWorkerApp(opts: WorkerAppOptions) {
  let shuttingDown = false;
  const isShuttingDown = () => shuttingDown;
  const c = opts.root ? opts.root(isShuttingDown) : createWorkerRoot({ config: opts.config, logger: opts.logger, clock: opts.clock, isShuttingDown });
  const workerConnection = createRedis(opts.config.redisUrl);
  workerConnection.on('error', () => undefined);
  // `name` is recorded on each job as processedBy, so operators can see which worker sent what.
  const common = { connection: workerConnection, prefix: opts.config.redisPrefix, autorun: false, name: opts.config.workerId };
  // While Redis stalls BullMQ repeats the same error many times a second: log each once per 10 s.
  const repeats = createRepeatFilter({ clock: c.clock, windowMs: 10_000 });
  const wired = (w: Worker): Worker => {
    w.on('failed', (job, err) => opts.logger.warn({ queue: w.name, jobId: job?.id, err: { message: err.message } }, 'job failed'));
    w.on('error', (err) => {
      const { log, suppressed } = repeats.check(`${w.name}:${err.message}`);
      if (log) opts.logger.error({ queue: w.name, err: { message: err.message }, ...(suppressed ? { repeatedSinceLastLine: suppressed } : {}) }, 'worker error');
    });
    return w;
  };
  // Each worker under a stall guard (stall-guard.ts): one that stops taking jobs after a Redis
  // failover is replaced, not left idle while its queue fills.
  const guards: StallGuard[] = [];
  const guard = (queue: (typeof c.queues)['sweep' | 'dispatch'], make: () => Worker) => guards.push(createStallGuard({ queue, make: () => wired(make()), idleMs: STALL_IDLE_MS, logger: opts.logger }));
  if (opts.sweep !== false) {
    // SWEEP_CONCURRENCY (2 or more): a trigger that arrives during a long run is answered with
    // skipped_locked instead of waiting behind it, and programmes whose send times coincide run
    // side by side (a run mostly waits for its jobs; each programme's lock keeps its own runs apart).
    guard(c.queues.sweep, () => new Worker(SWEEP_QUEUE, createSweepProcessor(c), { ...common, concurrency: opts.config.sweepConcurrency, lockDuration: 60_000 }));
  }
  guard(c.queues.dispatch, () =>
    new Worker(DISPATCH_QUEUE, createDispatchProcessor(c), {
      ...common,
      concurrency: opts.config.dispatchConcurrency,
      // A job whose lock vanished with a Redis restart or failover is back in the queue within
      // 10 s, not BullMQ's default 30 s, so its run does not wait that long for it (a live job's
      // lock, renewed every 15 s of its 30, is never taken for stalled by checking more often).
      stalledInterval: 10_000,
      metrics: { maxDataPoints: 60 * 24 },
    }),
  );
  const workers = () => guards.map((g) => g.worker);
  let guardTimer: NodeJS.Timeout | null = null;

  let watchdogLoop: { stop(): void } | null = null;
  // The heartbeat tells the watchdog (in any process) that a worker is alive: see no_workers.
  const workerId = opts.config.workerId;
  const beat = () => c.repositories.workers.beat(workerId, c.clock.now());
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let tickTimer: NodeJS.Timeout | null = null;
  let digestTimer: NodeJS.Timeout | null = null;
  let draining: Promise<void> | null = null;

  return {
    container: c,
    /** The BullMQ workers running now (a stall guard may have replaced one). */
    get workers() {
      return workers();
    },
    guards,
    async start() {
      // `default` follows the environment until an operator changes it (programme update).
      const synced = await c.repositories.programmes.syncDefault({ timeZone: opts.config.reminderTz, sendAt: sendAtOfCron(opts.config.reminderCron), rules: opts.config.rules }, c.clock.now());
      if (synced) opts.logger.info({ timeZone: opts.config.reminderTz, rules: opts.config.rules }, 'programme default set from the environment');
      if (!c.services.alerts.hasChannels()) {
        opts.logger.warn('no alert channel configured (ALERT_WEBHOOK_URL, ALERT_EMAIL_TO): alerts are stored but nobody is told');
      }
      if (opts.registerSchedule !== false) await c.services.schedule.ensure();
      for (const w of workers()) void w.run();
      await Promise.all(workers().map((w) => w.waitUntilReady()));
      guardTimer = setInterval(() => {
        for (const g of guards) g.check().catch((err: Error) => opts.logger.warn({ err: { message: err.message } }, 'stall guard could not look at its queue'));
      }, STALL_CHECK_MS);
      await beat();
      heartbeatTimer = setInterval(() => {
        beat().catch((err: Error) => opts.logger.warn({ err: { message: err.message } }, 'worker heartbeat failed; the next one tries again'));
      }, HEARTBEAT_INTERVAL_MS);
      if (opts.programmeTick !== false) {
        // Two workers ticking at once record one request: PostgreSQL decides (the dedupe key).
        let ticking = false;
        tickTimer = setInterval(() => {
          if (ticking) return;
          ticking = true;
          c.services.programmeTick
            .tick()
            .catch((err: Error) => {
              const { log, suppressed } = repeats.check(`programme-tick:${err.message}`);
              if (log) opts.logger.warn({ err: { message: err.message }, ...(suppressed ? { repeatedSinceLastLine: suppressed } : {}) }, 'programme tick failed; the next one tries again');
            })
            .finally(() => (ticking = false));
        }, opts.config.programmeTickSeconds * 1000);
        // The digest outbox drains on the same beat: a finished run's digests go out within a tick.
        digestTimer = setInterval(() => {
          if (draining) return;
          draining = c.services.digestOutbox
            .drainOnce()
            .catch((err: Error) => {
              const { log, suppressed } = repeats.check(`digest-outbox:${err.message}`);
              if (log) opts.logger.warn({ err: { message: err.message }, ...(suppressed ? { repeatedSinceLastLine: suppressed } : {}) }, 'digest outbox failed; the next tick tries again');
            })
            .then(() => undefined)
            .finally(() => (draining = null));
        }, opts.config.programmeTickSeconds * 1000);
      }
      if (opts.watchdog !== false) {
        watchdogLoop = startWatchdogLoop({ state: c.repositories.watchdogState, jobName: SWEEP_SCHEDULER_ID, holder: opts.config.workerId, intervalSeconds: opts.config.watchdog.intervalSeconds, tick: () => c.services.watchdog.tick(), logger: opts.logger });
      }
      opts.logger.info({ workerId: opts.config.workerId, queues: workers().map((w) => w.name), heapLimitMb: heapLimitMb() }, 'worker ready');
    },
    /** Stops taking jobs, lets in-flight jobs finish (a running sweep stops fanning out), closes everything. */
    async stop() {
      shuttingDown = true;
      watchdogLoop?.stop();
      if (tickTimer) clearInterval(tickTimer);
      if (digestTimer) clearInterval(digestTimer);
      await draining;
      if (guardTimer) clearInterval(guardTimer);
      // Still beating while in-flight jobs finish: it is still working.
      await Promise.all(workers().map((w) => w.close()));
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      // Stopped on purpose: off the registry at once (a crashed worker goes stale after WORKER_STALE_MS instead).
      if (heartbeatTimer) await c.repositories.workers.remove(workerId, c.clock.now()).catch((err: Error) => opts.logger.warn({ err: { message: err.message } }, 'could not remove the worker heartbeat'));
      await c.close();
      workerConnection.disconnect();
    },
  };
}

export type WorkerApp = ReturnType<typeof createWorkerApp>;
