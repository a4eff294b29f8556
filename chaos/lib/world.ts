/**
 * One scenario iteration's world: its own database and Redis key prefix, its own redis-server,
 * an alert webhook receiver, optionally an SMTP server that can be switched off, real worker
 * processes (`reminders serve-worker`), and an operator's container in this process (trigger
 * runs, tick the watchdog, register activities, read the database) on a clock it can move ahead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '@reminders/core/config';
import { createContainer, type Container } from '@reminders/core/container';
import { createLogger } from '@reminders/core/logger';
import { startChildWorker, type ChildWorker } from '../../tests/helpers/child-worker';
import { createTestEnv, type TestEnv } from '../../tests/helpers/test-env';
import { startWebhookReceiver } from '../../tests/helpers/webhook-receiver';
import { waitFor } from '../../tests/helpers/wait-for';
import { terminateBackends } from './postgres';
import { startRedisServer, type RedisServer } from './redis-server';
import { startClusterTopology, startSentinelTopology, type ClusterTopology, type SentinelTopology } from '../../tests/helpers/redis-topology';
import { seedScenarioData } from './seed';
import { startSmtpSwitch, type SmtpSwitch } from './smtp-switch';

/** Knobs that make faults land inside a run of a few seconds; a scenario may override any. */
export const CHAOS_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  NODE_ENV: 'test',
  LOCK_TTL_MS: '2000',
  DISPATCH_CONCURRENCY: '2',
  SWEEP_PAGE_SIZE: '25',
  EMAIL_MAX_ATTEMPTS: '3',
  // A killed or frozen worker's e-mail claims are leased: short here, so recovery waits seconds.
  EMAIL_LEASE_SECONDS: '5',
  DISPATCH_RETRY_BACKOFF_MS: '100',
  // A digest the relay refused (smtp-down) is tried again within the recovery's wait.
  DIGEST_RETRY_SECONDS: '1',
  ALERT_FAILURE_THRESHOLD: '1',
  ALERT_MAX_RUN_MINUTES: '1',
  RUN_TIMEOUT_MINUTES: '2',
  // The operator's process ticks the watchdog itself, at the moments the scenario chooses.
  WATCHDOG_INTERVAL_SECONDS: '3600',
  BLAST_RADIUS_FACTOR: '0',
});

export type WorkerHandle = {
  id: string;
  pid: number;
  child: ChildWorker;
  alive(): boolean;
  stopped(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the process freezes (a long GC pause, a VM migration). */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
};

export type WorldOptions = {
  scenario: string;
  iteration: number;
  /** Assignments with a reminder due today. */
  due: number;
  /** Start an SMTP server (and give the workers SMTP_URL). */
  smtp?: boolean;
  /** The programmes' delivery: the e-mail scenarios take the per-reminder outbox apart unless they say `digest`. @defaultValue each */
  delivery?: 'digest' | 'each';
  /** The SMTP server answers 250 this long after a message's data arrived (relay latency). */
  smtpAcceptDelayMs?: number;
  /** With smtpAcceptDelayMs: the latency is drawn per message from [smtpAcceptDelayMs, this]. */
  smtpAcceptDelayMaxMs?: number;
  /** Extra environment for workers and the operator's container. */
  vars?: Record<string, string>;
  /** A real Sentinel or Cluster deployment instead of the single redis-server. */
  topology?: 'sentinel' | 'cluster';
  logDir: string;
};

export type DigestKill = { worker: string; at: number; inDoubt: string[]; acceptedUnmarked: string[] };

export type RunRow = Awaited<ReturnType<Container['prisma']['cronExecutionLog']['findMany']>>[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type World = Awaited<ReturnType<typeof createWorld>>;

export async function createWorld(opts: WorldOptions) {
  const env: TestEnv = await createTestEnv();
  const redis: RedisServer = await startRedisServer();
  const sentinel: SentinelTopology | null = opts.topology === 'sentinel' ? await startSentinelTopology() : null;
  const cluster: ClusterTopology | null = opts.topology === 'cluster' ? await startClusterTopology() : null;
  // A Cluster needs every key of a queue in one slot: the prefix is a hash tag.
  const redisVars: Record<string, string> = sentinel ? { REDIS_URL: sentinel.url(3) } : cluster ? { REDIS_URL: cluster.url(2), REDIS_PREFIX: '{reminders}' } : { REDIS_URL: redis.url };
  const hook = await startWebhookReceiver();
  const smtp: SmtpSwitch | null = opts.smtp ? await startSmtpSwitch({ acceptDelayMs: opts.smtpAcceptDelayMs, acceptDelayMaxMs: opts.smtpAcceptDelayMaxMs }) : null;
  const vars = (extra: Record<string, string> = {}) =>
    env.env({
      ...CHAOS_DEFAULTS,
      ...redisVars,
      ALERT_WEBHOOK_URL: hook.url,
      ...(smtp ? { SMTP_URL: smtp.url } : {}),
      ...opts.vars,
      ...extra,
    });
  const config: Config = loadConfig(vars({ WORKER_ID: 'chaos-operator', LOG_LEVEL: 'silent' }));
  // The operator's clock is the system clock, moved ahead only for a watchdog tick that should
  // see a run as old as it would be after ALERT_MAX_RUN_MINUTES.
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const c: Container = createContainer({ config, logger: createLogger(config), clock });
  // Redis restarts are the point here: keep BullMQ's connection errors off stderr.
  c.queues.sweep.on('error', () => undefined);
  c.queues.dispatch.on('error', () => undefined);
  await c.repositories.programmes.syncDefault({ timeZone: config.reminderTz, sendAt: null, rules: config.rules }, new Date());
  await seedScenarioData(c.prisma, { due: opts.due, timeZone: config.reminderTz });
  await c.prisma.programme.updateMany({ data: { delivery: opts.delivery ?? 'each' } });

  const workers = new Map<string, WorkerHandle>();
  const crashes: string[] = [];
  const notes: string[] = [];
  /** Scenario-specific promises that were broken (fencing, a run left running, ...). */
  const violations: string[] = [];
  /** Assignments a scenario registered contact on, with the time the registration had committed. */
  const contacted = new Map<number, Date>();
  /** Runs still `running` when recovery began (their worker was dead or frozen): the watchdog must flag them. */
  const staleAtRecovery: number[] = [];
  const expectAlerts = new Set<string>();
  /**
   * Reminders whose e-mail attempt was claimed but not confirmed when a worker was killed: the
   * killed worker may have handed it to the SMTP server before it could record that, so the next
   * run sends it again (same Message-ID). One extra copy of these is at-least-once, not a bug.
   */
  const emailsInDoubt = new Set<string>();
  /**
   * The digest outbox's counterpart, one entry per kill: the digests the killed worker had claimed
   * and not marked (a live lease), and of those the ones the SMTP server had already accepted (in
   * flight on the victim: at most its SMTP_MAX_CONNECTIONS lanes). Those may come once more, with
   * the same Message-ID, after the lease; nothing else may.
   */
  const digestKills: DigestKill[] = [];
  let faultHit = false;

  async function startWorker(id: string, extra: Record<string, string> = {}): Promise<WorkerHandle> {
    const child = await startChildWorker(env, vars({ WORKER_ID: id, LOG_LEVEL: 'info', ...extra }));
    let expectedExit = false;
    let frozen = false;
    child.exited.then((e) => {
      if (!expectedExit) crashes.push(`worker ${id} exited by itself (code ${e.code}, signal ${e.signal}): ${child.output().slice(-600)}`);
    });
    const h: WorkerHandle = {
      id,
      pid: child.proc.pid!,
      child,
      alive: () => child.proc.exitCode === null && child.proc.signalCode === null,
      stopped: () => frozen,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (!h.alive()) return;
        expectedExit = true;
        if (frozen) child.proc.kill('SIGCONT');
        frozen = false;
        child.proc.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 20_000)));
        const outcome = await Promise.race([child.exited, timeout]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          crashes.push(`worker ${id} did not exit within 20 s of ${signal}; killed`);
          child.proc.kill('SIGKILL');
          await child.exited;
        }
      },
      freeze() {
        frozen = true;
        child.proc.kill('SIGSTOP');
      },
      thaw() {
        frozen = false;
        child.proc.kill('SIGCONT');
      },
    };
    workers.set(id, h);
    return h;
  }

  const runs = (): Promise<RunRow[]> => c.prisma.cronExecutionLog.findMany({ orderBy: { id: 'asc' } });
  const runningRow = () => c.prisma.cronExecutionLog.findFirst({ where: { status: 'running' }, orderBy: { id: 'desc' } });

  /** Retries a read of the operator's own through connection faults the scenario caused. */
  async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 20): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await fn();
      } catch (err) {
        if (i >= attempts) throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
        await sleep(250);
      }
    }
  }

  async function trigger(by = 'chaos'): Promise<string> {
    return (await retrying('trigger', () => c.services.ops.trigger({ by }))).jobId;
  }

  /** The execution-log row of a triggered run once its job has finished (null when the job failed). */
  async function waitForRun(jobId: string, timeoutMs = 90_000): Promise<RunRow | null> {
    try {
      return (await c.services.ops.waitForRun(jobId, timeoutMs)) as RunRow | null;
    } catch (err) {
      notes.push(`run job ${jobId}: ${(err as Error).message}`);
      return null;
    }
  }

  /** The worker process whose run holds the lock (from the running row's worker id). */
  async function holder(timeoutMs = 30_000): Promise<{ run: RunRow; worker: WorkerHandle }> {
    const run = await waitFor('a running run', () => runningRow(), timeoutMs, 5);
    const worker = workers.get(run.workerId);
    if (!worker) throw new Error(`run ${run.id} is held by ${run.workerId}, not one of this world's workers`);
    return { run, worker };
  }

  async function tickWatchdog(aheadMs = 0) {
    offsetMs = aheadMs;
    try {
      return await retrying('watchdog tick', () => c.services.watchdog.tick());
    } finally {
      offsetMs = 0;
    }
  }

  const countDue = () => retrying('count due', () => c.repositories.dueAssignments.countDue({ now: new Date() }));

  /**
   * E-mails of reminders still waiting to be delivered (their assignment still silent since the
   * anchor), and when the last live lease among them ends (a killed or frozen sender's claim:
   * no run may adopt it before then).
   */
  async function pendingEmailState(): Promise<{ pending: number; leasedUntil: Date | null }> {
    const [r] = await c.prisma.$queryRaw<{ n: bigint; until: Date | null }[]>`
      SELECT count(*) AS n, max(r.email_lease_until) FILTER (WHERE r.email_lease_until > clock_timestamp()) AS until
        FROM reminders r JOIN assignments a ON a.id = r.assignment_id JOIN peer_mentors pm ON pm.id = a.peer_mentor_id
       WHERE r.email_status IN ('reserved', 'failed') AND a.status = 'active' AND pm.email IS NOT NULL
         AND COALESCE(a.last_contact_date, a.assigned_date) = r.anchor_date`;
    // The digest outbox's rows (digests and, in `each` delivery, the coordinators' messages): a
    // pending one is not done until sent; it waits for its lease or its retry time.
    const [d] = await c.prisma.$queryRaw<{ n: bigint; until: Date | null }[]>`
      SELECT count(*) AS n, max(GREATEST(lease_until, next_attempt_at)) FILTER (WHERE GREATEST(lease_until, next_attempt_at) > clock_timestamp()) AS until
        FROM digests WHERE status = 'pending'`;
    // Reminders a programme tick has not put in a digest yet (it assembles after the run ends).
    const [u] = await c.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM reminders
       WHERE (email_status = 'digest' AND mentor_digest_id IS NULL) OR (coordinator_email_status = 'digest' AND coordinator_digest_id IS NULL)`;
    const untils = [r?.until, d?.until].filter((u): u is Date => u instanceof Date);
    const leasedUntil = untils.length ? new Date(Math.max(...untils.map((u) => u.getTime()))) : null;
    return { pending: Number(r?.n ?? 0) + Number(d?.n ?? 0) + Number(u?.n ?? 0), leasedUntil };
  }
  const pendingEmails = async () => (await retrying('pending e-mails', pendingEmailState)).pending;

  /**
   * What an operator does after an incident: the watchdog flags a run left `running`, then runs
   * are triggered until one succeeds with nothing left due. Bounded: at most `maxRuns` triggers.
   */
  async function recover(maxRuns = 8): Promise<void> {
    if (![...workers.values()].some((w) => w.alive() && !w.stopped())) await startWorker(`recovery-${workers.size}`);
    // A run still going on a live worker is left to finish first.
    const current = await retrying('running row', () => runningRow());
    const owner = current && workers.get(current.workerId);
    if (current && owner?.alive() && !owner.stopped()) {
      await waitFor(`run ${current.id} to finish`, async () => (await retrying('run row', () => c.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: current.id } }))).status !== 'running', 90_000, 100);
    }
    const stale = await retrying('running row', () => runningRow());
    if (stale) {
      staleAtRecovery.push(stale.id);
      await tickWatchdog((config.alerts.maxRunMinutes + 1) * 60_000);
    }
    for (let i = 0; i < maxRuns; i++) {
      const run = await waitForRun(await trigger('chaos-recovery'));
      const mail = smtp ? await retrying('pending e-mails', pendingEmailState) : { pending: 0, leasedUntil: null };
      if (run?.status === 'succeeded' && (await countDue()) === 0 && mail.pending === 0) break;
      // A dead holder's lock expires by its TTL.
      if (run?.status === 'skipped_locked') await sleep(config.lockTtlMs);
      // E-mails a killed or frozen sender had claimed are its own until their lease ends
      // (EMAIL_LEASE_SECONDS): the next run adopts them only after that.
      if (mail.leasedUntil) await sleep(Math.max(0, mail.leasedUntil.getTime() - Date.now()) + 250);
      // Digests due now go out on the workers' next programme tick.
      else if (mail.pending > 0) await sleep(1_000);
    }
    await tickWatchdog();
  }

  /**
   * Call right after killing or freezing a worker: notes the e-mails it may have been sending (a
   * live claim: reserved under a lease; `owner`: only that worker's claims). Returns how many.
   */
  async function noteEmailsInDoubt(owner?: string, settleMs = 200): Promise<number> {
    await sleep(settleMs);
    const rows = await retrying('e-mails in doubt', () =>
      c.prisma.reminder.findMany({
        where: { emailStatus: 'reserved', emailAttempts: { gte: 1 }, emailLeaseUntil: { not: null }, ...(owner ? { emailLeaseOwner: { startsWith: `${owner} (` } } : {}) },
        select: { reminderKey: true },
      }),
    );
    for (const r of rows) emailsInDoubt.add(r.reminderKey);
    return rows.length;
  }

  /** Stops every worker gracefully (thawing frozen ones first) and waits for their queues to drain. */
  async function stopWorkers(): Promise<void> {
    await Promise.all([...workers.values()].map((w) => w.kill('SIGTERM')));
  }

  function saveLogs(): string {
    const dir = path.join(opts.logDir, `${opts.scenario}-${opts.iteration}`);
    mkdirSync(dir, { recursive: true });
    for (const w of workers.values()) writeFileSync(path.join(dir, `${w.id}.log`), w.child.output());
    return dir;
  }

  async function destroy(): Promise<void> {
    for (const w of workers.values()) if (w.alive()) await w.kill('SIGKILL');
    await c.close().catch(() => undefined);
    await hook.close().catch(() => undefined);
    await smtp?.down().catch(() => undefined);
    await redis.destroy().catch(() => undefined);
    await sentinel?.destroy().catch(() => undefined);
    await cluster?.destroy().catch(() => undefined);
    await env.destroy().catch((err: Error) => notes.push(`cleanup: ${err.message}`));
  }

  return {
    scenario: opts.scenario,
    iteration: opts.iteration,
    due: opts.due,
    env,
    redis,
    sentinel,
    cluster,
    smtp,
    hook,
    config,
    c,
    prisma: c.prisma,
    workers,
    crashes,
    notes,
    violations,
    contacted,
    staleAtRecovery,
    expectAlerts,
    emailsInDoubt,
    noteEmailsInDoubt,
    digestKills,
    startWorker,
    runs,
    runningRow,
    trigger,
    waitForRun,
    holder,
    tickWatchdog,
    countDue,
    pendingEmails,
    recover,
    stopWorkers,
    retrying,
    terminatePg: () => terminateBackends(env.databaseUrl),
    waitFor,
    sleep,
    /** Marks that the fault landed where the scenario meant it to (e.g. mid fan-out). */
    hit: () => {
      faultHit = true;
    },
    faultHit: () => faultHit,
    note: (s: string) => notes.push(s),
    violation: (s: string) => violations.push(s),
    saveLogs,
    destroy,
  };
}
