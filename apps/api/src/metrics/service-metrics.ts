/**
 * Prometheus metrics, computed at scrape time from the execution log, the scheduler state and the
 * queues, so every API replica reports the same numbers whichever process did the work. BullMQ's
 * own export (completed / failed totals, per queue) is appended.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiRoot } from '../composition';
import { SWEEP_SCHEDULER_ID } from '@reminders/core/jobs/job-catalog';
import type { OutcomeTotals } from '@reminders/core/repositories/service-metrics-repository';
import { EFFECTIVENESS_METRIC_NAMES, registerEffectivenessGauges } from './effectiveness-metrics';

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
  'reminders_delivery_events_total',
  'reminders_email_addresses_undeliverable',
  'reminders_digests',
  'reminders_digests_oldest_due_seconds',
  ...EFFECTIVENESS_METRIC_NAMES,
] as const;

/** The effects each delivery event type can have (delivery_event_type, delivery_event_effect): these series exist from the start. */
const MARKING = ['undeliverable', 'already_undeliverable', 'ignored'];
const DELIVERY_EFFECTS: Record<string, string[]> = {
  hard_bounce: MARKING,
  complaint: MARKING,
  soft_bounce: ['digest_retried', 'reminder_retried', 'retries_exhausted', 'counted', 'ignored'],
};

/** What one programme label's series are made of. */
type ProgrammeFigures = {
  runs: Map<string, number>;
  durations: number[];
  outcomes: OutcomeTotals;
  state: { enabled: boolean; consecutiveFailures: number; lastSuccessAt: Date | null };
};

type Snapshot = {
  programmes: Map<string, ProgrammeFigures>;
  alerts: Map<string, number>;
  delivery: { events: { type: string; effect: string; n: number }[]; undeliverable: number; digests: { kind: string; status: string; n: number }[]; oldestDueDigestSeconds: number };
};

const NO_OUTCOMES: OutcomeTotals = { sent: 0, suppressed: 0, skipped: 0, failed: 0, lost: 0 };

/**
 * Per-run metrics carry `programme` (the slug; beyond METRICS_PROGRAMME_LABEL_MAX programmes,
 * `other`). Alerts, queues and workers are shared by every programme and stay unlabelled.
 */
export function createServiceMetrics(c: Pick<ApiRoot, 'repositories' | 'queues' | 'clock' | 'config'>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'reminders_api_' });
  const labelMax = c.config.metricsProgrammeLabelMax;

  // One snapshot per scrape: every collector below reads it, only the first queries.
  let pending: Promise<Snapshot> | null = null;
  const snapshot = () => (pending ??= load().finally(() => setTimeout(() => (pending = null), 0)));

  async function load(): Promise<Snapshot> {
    const m = c.repositories.serviceMetrics;
    const [runs, durations, outcomes, states, alerts, events, undeliverable, digests, oldestDueDigestSeconds] = await Promise.all([
      m.runsByStatus(SWEEP_SCHEDULER_ID, labelMax),
      m.finishedRunDurationsMs(SWEEP_SCHEDULER_ID, labelMax),
      m.outcomeTotals(SWEEP_SCHEDULER_ID, labelMax),
      m.sweepStates(labelMax),
      c.repositories.alerts.countByKind(),
      m.deliveryEventTotals(),
      m.undeliverableAddresses(),
      m.digestTotals(),
      m.digestOldestDueSeconds(),
    ]);
    // Every programme has a state row, so every programme gets its series (zeros before its first run).
    const programmes = new Map<string, ProgrammeFigures>();
    const of = (programme: string) => {
      let f = programmes.get(programme);
      if (!f) programmes.set(programme, (f = { runs: new Map(), durations: [], outcomes: { ...NO_OUTCOMES }, state: { enabled: true, consecutiveFailures: 0, lastSuccessAt: null } }));
      return f;
    };
    for (const s of states) of(s.programme).state = { enabled: s.enabled, consecutiveFailures: s.consecutiveFailures, lastSuccessAt: s.lastSuccessAt };
    for (const r of runs) of(r.programme).runs.set(r.status, r.n);
    for (const d of durations) of(d.programme).durations.push(d.durationMs / 1000);
    for (const { programme, ...totals } of outcomes) of(programme).outcomes = totals;
    return { programmes, alerts, delivery: { events, undeliverable, digests, oldestDueDigestSeconds } };
  }

  /** Calls `each` with every programme label and its figures. */
  const perProgramme = async (each: (programme: string, f: ProgrammeFigures) => void) => {
    for (const [programme, f] of (await snapshot()).programmes) each(programme, f);
  };

  new Counter({
    name: 'reminders_runs_total',
    help: 'Sweep runs in the execution log, by programme and status',
    labelNames: ['programme', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => {
        for (const status of RUN_STATUSES) this.inc({ programme, status }, f.runs.get(status) ?? 0);
      });
    },
  });
  new Histogram({
    name: 'reminders_run_duration_seconds',
    help: 'Duration of finished sweep runs (succeeded, failed, timed out), by programme',
    labelNames: ['programme'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => {
        this.zero({ programme });
        for (const d of f.durations) this.observe({ programme }, d);
      });
    },
  });
  new Counter({
    name: 'reminders_reminders_total',
    help: 'Reminder dispatch outcomes recorded by finished runs (counted from their dispatch records), by programme',
    labelNames: ['programme', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => {
        for (const [outcome, n] of Object.entries(f.outcomes)) this.inc({ programme, outcome }, n);
      });
    },
  });
  new Counter({
    name: 'reminders_lock_contention_total',
    help: 'Runs that found the sweep lock held (skipped_locked), by programme',
    labelNames: ['programme'],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => this.inc({ programme }, f.runs.get('skipped_locked') ?? 0));
    },
  });
  new Gauge({
    name: 'reminders_consecutive_failures',
    help: 'Failed or timed-out runs since the last success, by programme',
    labelNames: ['programme'],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => this.set({ programme }, f.state.consecutiveFailures));
    },
  });
  new Gauge({
    name: 'reminders_last_success_timestamp_seconds',
    help: "Unix time the programme's last successful run finished (its creation time if it never succeeded)",
    labelNames: ['programme'],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => this.set({ programme }, f.state.lastSuccessAt ? f.state.lastSuccessAt.getTime() / 1000 : 0));
    },
  });
  new Gauge({
    name: 'reminders_sweep_enabled',
    help: "1 when the programme's sweep is enabled, 0 while paused",
    labelNames: ['programme'],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => this.set({ programme }, f.state.enabled ? 1 : 0));
    },
  });
  new Gauge({
    name: 'reminders_run_in_progress',
    help: 'Runs currently in status running, by programme',
    labelNames: ['programme'],
    registers: [registry],
    async collect() {
      this.reset();
      await perProgramme((programme, f) => this.set({ programme }, f.runs.get('running') ?? 0));
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
  new Counter({
    name: 'reminders_delivery_events_total',
    help: 'Bounces and complaints reported by the mail provider (POST /v1/delivery-events, each stored once), by type and effect (undeliverable, already_undeliverable, digest_retried, reminder_retried, retries_exhausted, counted, ignored)',
    labelNames: ['type', 'effect'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const [type, effects] of Object.entries(DELIVERY_EFFECTS)) for (const effect of effects) this.inc({ type, effect }, 0);
      for (const e of s.delivery.events) this.inc({ type: e.type, effect: e.effect }, e.n);
    },
  });
  new Gauge({
    name: 'reminders_email_addresses_undeliverable',
    help: 'Addresses a hard bounce or complaint made undeliverable (their mentors get reminders in-app only until an admin clears them)',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).delivery.undeliverable);
    },
  });
  new Gauge({
    name: 'reminders_digests',
    help: 'The digest outbox (mentor digests, coordinator escalation digests, undeliverable notices) by kind and status; pending includes messages waiting for a retry',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const kind of ['mentor', 'coordinator', 'undeliverable_notice']) for (const status of ['pending', 'sent', 'failed', 'cancelled']) this.set({ kind, status }, 0);
      for (const d of s.delivery.digests) this.set({ kind: d.kind, status: d.status }, d.n);
    },
  });
  new Gauge({
    name: 'reminders_digests_oldest_due_seconds',
    help: 'Seconds since the oldest pending digest became due (made, or its retry time passed) with no worker sending it; 0 when none waits. Workers send every PROGRAMME_TICK_SECONDS: minutes mean nothing is sending',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).delivery.oldestDueDigestSeconds);
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

  registerEffectivenessGauges(registry, { effectiveness: c.repositories.effectiveness, clock: c.clock, labelMax });

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
