/**
 * The watchdog's checks for every programme other than `default` (issue 15; default's are the
 * watchdog's own, unchanged): each alert names the programme (its slug in the title, the
 * incident key and the details).
 *  - today's scheduled sweep (services/programme-tick.ts) not done MISSED_RUN_GRACE_MINUTES after
 *    the programme's local send time: `missed_run`, and the tick is run from here too, so a
 *    deployment whose workers' ticks are down still records the request (its job waits for a
 *    worker); a request recorded but never taken is enqueued again (same job id: no duplicate);
 *  - a run of the programme going for longer than ALERT_MAX_RUN_MINUTES: `long_run`;
 *  - its pause: resumed at its end time, `pause_overdue` past ALERT_PAUSE_MAX_HOURS;
 *  - the same-day retry after a failed run (watchdog-retry.ts, RUN_RETRY_*), its own.
 */
import type { Clock } from '../clock';
import { localDate } from '../domain/calendar';
import { zonedInstant } from '../domain/local-time';
import { DEFAULT_PROGRAMME_ID, type Programme } from '../domain/programme';
import { programmeJobName, type ProgrammeRef } from '../domain/programme-names';
import type { ExecutionLogRepository } from '../repositories/execution-log-repository';
import type { ProgrammeRepository } from '../repositories/programme-repository';
import type { SweepRequestRepository } from '../repositories/sweep-request-repository';
import type { SweepStateRepository } from '../repositories/sweep-state-repository';
import type { AlertService } from './alert-service';
import type { ProgrammeTick } from './programme-tick';
import type { SweepRequests } from './sweep-requests';
import { createRetryCheck } from './watchdog-retry';

export type ProgrammeWatchDeps = {
  programmes: Pick<ProgrammeRepository, 'list'>;
  executionLog: Pick<ExecutionLogRepository, 'runningStartedBefore' | 'lastUnskippedOnLocalDay'>;
  sweepState: Pick<SweepStateRepository, 'find'>;
  requests: Pick<SweepRequestRepository, 'byDedupeKey' | 'countOpen' | 'countOnLocalDay'>;
  sweepRequests: Pick<SweepRequests, 'enqueue' | 'record'>;
  tick: Pick<ProgrammeTick, 'tick'>;
  resumeExpiredPause: (p: Programme) => Promise<boolean>;
  alerts: AlertService;
  clock: Clock;
  maxRunMinutes: number;
  pauseMaxHours: number;
  missedRunGraceMinutes: number;
  retryAfterMinutes: number;
  retryMax: number;
};

export type ProgrammeWatchReport = { missed: string[]; longRuns: number[]; resumed: string[]; pauseOverdue: string[]; retried: string[] };

/**
 * The long-run and overdue-pause checks of one programme's sweep, for the watchdog (`default`)
 * and the programme watch (every other): one wording, in which any programme but `default` is
 * named (its slug in the title and text, before the incident key, in the details).
 */
export function createSweepChecks(deps: Pick<ProgrammeWatchDeps, 'executionLog' | 'sweepState' | 'alerts' | 'maxRunMinutes' | 'pauseMaxHours'>) {
  const naming = (p: ProgrammeRef) => {
    const other = p.id === DEFAULT_PROGRAMME_ID ? null : p.slug;
    return {
      named: other ? ` (programme ${other})` : '',
      key: (k: string) => (other ? `${other}:${k}` : k),
      details: other ? { programme: other } : {},
      forIt: other ? ' for it' : '',
      flag: other ? ` --programme ${other}` : '',
    };
  };

  return {
    /** `long_run` for each of its runs going for longer than ALERT_MAX_RUN_MINUTES; their ids. */
    async longRuns(p: ProgrammeRef, now: Date): Promise<number[]> {
      const n = naming(p);
      const rows = await deps.executionLog.runningStartedBefore(programmeJobName(p), new Date(now.getTime() - deps.maxRunMinutes * 60_000));
      for (const r of rows) {
        const minutes = Math.round((now.getTime() - r.startedAt.getTime()) / 60_000);
        await deps.alerts.raise({
          kind: 'long_run',
          incidentKey: n.key(`run-${r.id}`),
          runId: r.id,
          title: `Reminder run ${r.id}${n.named} has been running for ${minutes} minutes`,
          text: `Started ${r.startedAt.toISOString()} on ${r.workerId}, ${r.remindersEnqueued} reminders enqueued; ALERT_MAX_RUN_MINUTES is ${deps.maxRunMinutes}. Runbook: Troubleshooting, long runs.`,
          details: { ...n.details, runId: r.id, minutes, workerId: r.workerId },
        });
      }
      return rows.map((r) => r.id);
    },

    /** `pause_overdue` for a pause (with or without an end) older than ALERT_PAUSE_MAX_HOURS; whether it did. */
    async pauseOverdue(p: ProgrammeRef, now: Date): Promise<boolean> {
      const n = naming(p);
      const state = await deps.sweepState.find(programmeJobName(p));
      if (!state || state.enabled || !state.pausedAt) return false;
      const hours = (now.getTime() - state.pausedAt.getTime()) / 3600_000;
      if (hours < deps.pauseMaxHours) return false;
      await deps.alerts.raise({
        kind: 'pause_overdue',
        incidentKey: n.key(`paused-at-${state.pausedAt.toISOString()}`),
        title: `Reminder sweep${n.named} has been paused for ${Math.floor(hours)} hours`,
        text: `Paused by ${state.pausedBy ?? 'unknown'}: ${state.pauseReason ?? 'no reason'}, ${state.pausedUntil ? `until ${state.pausedUntil.toISOString()}` : 'with no end time'}. No reminders are being sent${n.forIt}. Resume with \`npx reminders resume${n.flag}\`.`,
        details: { ...n.details, pausedBy: state.pausedBy, pausedAt: state.pausedAt, pausedUntil: state.pausedUntil, reason: state.pauseReason },
      });
      return true;
    },
  };
}

export function createProgrammeWatch(deps: ProgrammeWatchDeps) {
  const checks = createSweepChecks(deps);
  const retryFor = (p: Programme) =>
    createRetryCheck({
      jobName: programmeJobName(p),
      programmeId: p.id,
      executionLog: deps.executionLog,
      sweepState: deps.sweepState,
      requests: deps.sweepRequests,
      requestRows: deps.requests,
      timeZone: p.timeZone,
      retryAfterMinutes: deps.retryAfterMinutes,
      retryMax: deps.retryMax,
    });
  async function missed(p: Programme, now: Date, redisUp: boolean): Promise<boolean> {
    const day = localDate(now, p.timeZone);
    const slot = zonedInstant(day, p.sendAt, p.timeZone);
    // Not yet due, or the programme did not exist at today's slot (it first runs tomorrow).
    if (now.getTime() < slot.getTime() + deps.missedRunGraceMinutes * 60_000 || slot.getTime() < p.createdAt.getTime()) return false;
    const request = await deps.requests.byDedupeKey(`programme:${p.id}:${day}`);
    if (request?.consumedAt) return false;
    await deps.alerts.raise({
      kind: 'missed_run',
      incidentKey: `${p.slug}:slot-${slot.toISOString()}`,
      title: `Reminder sweep (programme ${p.slug}) missed its ${day} run`,
      text: `No run of programme ${p.slug} started for its send time ${p.sendAt} (${p.timeZone}) within ${deps.missedRunGraceMinutes} minutes. ${request ? 'Its request is queued again.' : 'Its request is recorded now.'} Runbook: Troubleshooting, missed runs.`,
      details: { programme: p.slug, slot: slot.toISOString(), requestId: request?.id ?? null },
    });
    if (request && redisUp) await deps.sweepRequests.enqueue(request);
    return true;
  }

  return {
    async check(redisUp: boolean): Promise<ProgrammeWatchReport> {
      const now = deps.clock.now();
      if (redisUp) await deps.tick.tick();
      const report: ProgrammeWatchReport = { missed: [], longRuns: [], resumed: [], pauseOverdue: [], retried: [] };
      for (const p of await deps.programmes.list()) {
        if (p.id === DEFAULT_PROGRAMME_ID) continue;
        if (await deps.resumeExpiredPause(p)) report.resumed.push(p.slug);
        if (await checks.pauseOverdue(p, now)) report.pauseOverdue.push(p.slug);
        report.longRuns.push(...(await checks.longRuns(p, now)));
        if (await missed(p, now, redisUp)) report.missed.push(p.slug);
        if (await retryFor(p)(now, redisUp)) report.retried.push(p.slug);
      }
      return report;
    },
  };
}

export type ProgrammeWatch = ReturnType<typeof createProgrammeWatch>;
