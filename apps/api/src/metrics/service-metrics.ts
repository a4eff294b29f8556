/**
 * Prometheus metrics, computed at scrape time from the execution log, the scheduler state and the
 * queues, so every API replica reports the same numbers whichever process did the work. BullMQ's
 * own export (completed / failed totals, per queue) is appended.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiRoot } from '../composition';
import { SWEEP_SCHEDULER_ID } from '@reminders/core/jobs/job-catalog';
import type { OutcomeTotals } from '@reminders/core/repositories/service-metrics-repository';

const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped_locked', 'skipped_disabled', 'timed_out', 'abandoned', 'awaiting_confirmation', 'cancelled'];
const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

/** Every metric name this module exposes (docs/monitoring is checked against these and the live output). */
export const METRIC_NAMES = [
  'reminders_runs_total',
  'reminders_run_duration_seconds',
  'reminders_reminders_total',
  'reminders_lock_contention_total',
  'reminders_consecutive_failures',
  'reminders_last_success_timestamp_seconds',
  'reminders_sweep_enabled',
  'reminders_run_in_progress',
  'reminders_alerts_total',
  'reminders_queue_jobs',
  'reminders_workers_alive',
] as const;

type Snapshot = {
  runs: Map<string, number>;
  durations: number[];
  outcomes: OutcomeTotals;
  state: { enabled: boolean; consecutiveFailures: number; lastSuccessAt: Date | null };
  alerts: Map<string, number>;
};

export function createServiceMetrics(c: Pick<ApiRoot, 'repositories' | 'queues' | 'clock'>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'reminders_api_' });

  // One snapshot per scrape: every collector below reads it, only the first queries.
  let pending: Promise<Snapshot> | null = null;
  const snapshot = () => (pending ??= load().finally(() => setTimeout(() => (pending = null), 0)));

  async function load(): Promise<Snapshot> {
    const [runs, durationsMs, outcomes, state, alerts] = await Promise.all([
      c.repositories.serviceMetrics.runsByStatus(SWEEP_SCHEDULER_ID),
      c.repositories.serviceMetrics.finishedRunDurationsMs(SWEEP_SCHEDULER_ID),
      c.repositories.serviceMetrics.outcomeTotals(SWEEP_SCHEDULER_ID),
      c.repositories.sweepState.get(SWEEP_SCHEDULER_ID),
      c.repositories.alerts.countByKind(),
    ]);
    return {
      runs,
      durations: durationsMs.map((ms) => ms / 1000),
      outcomes,
      state: { enabled: state.enabled, consecutiveFailures: state.consecutiveFailures, lastSuccessAt: state.lastSuccessAt },
      alerts,
    };
  }

  new Counter({
    name: 'reminders_runs_total',
    help: 'Sweep runs in the execution log, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const status of RUN_STATUSES) this.inc({ status }, s.runs.get(status) ?? 0);
    },
  });
  new Histogram({
    name: 'reminders_run_duration_seconds',
    help: 'Duration of finished sweep runs (succeeded, failed, timed out)',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const d of s.durations) this.observe(d);
    },
  });
  new Counter({
    name: 'reminders_reminders_total',
    help: 'Reminder dispatch outcomes recorded by finished runs (counted from their dispatch records)',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const [outcome, n] of Object.entries(s.outcomes)) this.inc({ outcome }, n);
    },
  });
  new Counter({
    name: 'reminders_lock_contention_total',
    help: 'Runs that found the sweep lock held (skipped_locked)',
    registers: [registry],
    async collect() {
      this.reset();
      this.inc((await snapshot()).runs.get('skipped_locked') ?? 0);
    },
  });
  new Gauge({
    name: 'reminders_consecutive_failures',
    help: 'Failed or timed-out runs since the last success',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).state.consecutiveFailures);
    },
  });
  new Gauge({
    name: 'reminders_last_success_timestamp_seconds',
    help: 'Unix time the last successful run finished (0 if never)',
    registers: [registry],
    async collect() {
      const at = (await snapshot()).state.lastSuccessAt;
      this.set(at ? at.getTime() / 1000 : 0);
    },
  });
  new Gauge({
    name: 'reminders_sweep_enabled',
    help: '1 when the sweep is enabled, 0 while paused',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).state.enabled ? 1 : 0);
    },
  });
  new Gauge({
    name: 'reminders_run_in_progress',
    help: 'Runs currently in status running',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).runs.get('running') ?? 0);
    },
  });
  new Counter({
    name: 'reminders_alerts_total',
    help: 'Alerts raised, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const [kind, n] of s.alerts) this.inc({ kind }, n);
    },
  });
  new Gauge({
    name: 'reminders_queue_jobs',
    help: 'Jobs in each BullMQ queue, by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of [c.queues.sweep, c.queues.dispatch]) {
        const counts = await q.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
      }
    },
  });

  new Gauge({
    name: 'reminders_workers_alive',
    help: 'Worker processes with a heartbeat in the last 30 seconds (0: nothing runs sweeps or sends reminders)',
    registers: [registry],
    async collect() {
      this.set((await c.repositories.workers.live(c.clock.now())).length);
    },
  });

  return {
    contentType: registry.contentType,
    async text(): Promise<string> {
      const own = await registry.metrics();
      const bull = await Promise.all([c.queues.sweep, c.queues.dispatch].map((q) => q.exportPrometheusMetrics({ service: 'reminders' })));
      return `${own}\n${mergeExpositions(bull)}`;
    },
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;

/**
 * BullMQ exports each queue as a complete text with its own `# HELP` / `# TYPE` lines; Prometheus
 * refuses a metric family declared twice, so the queues' samples are merged under one header each.
 */
export function mergeExpositions(texts: string[]): string {
  const families = new Map<string, { header: string[]; samples: string[] }>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      const name = meta ? meta[2]! : /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
      if (!name) continue;
      const family = families.get(name) ?? { header: [], samples: [] };
      families.set(name, family);
      if (meta) {
        if (!family.header.some((h) => h.startsWith(`# ${meta[1]} `))) family.header.push(line);
      } else family.samples.push(line);
    }
  }
  return [...families.values()].map((f) => [...f.header, ...f.samples].join('\n')).join('\n') + '\n';
}
