/**
 * The watchdog's same-day retry: when the latest run of the local day failed (or timed out, or was
 * abandoned), nothing else would run until tomorrow's slot. After RUN_RETRY_AFTER_MINUTES the
 * watchdog requests a run with trigger `retry`, at most RUN_RETRY_MAX per local day. Not while
 * paused, not once a later run that day succeeded (or is running, or is held for confirmation),
 * not while a catch-up or retry it asked for has not run yet. The request's dedupe key
 * (`retry-after-run-<id>`) makes it one retry per failed run even when two ticks race.
 * One check per programme (issue 15): its own runs, requests, pause and local day.
 */
import { localDate } from '../domain/calendar';
import type { ExecutionLogRepository } from '../repositories/execution-log-repository';
import type { SweepStateRepository } from '../repositories/sweep-state-repository';
import type { SweepRequestRepository } from '../repositories/sweep-request-repository';
import type { SweepRequests } from './sweep-requests';

export type RetryCheckDeps = {
  jobName: string;
  programmeId: number;
  executionLog: Pick<ExecutionLogRepository, 'lastUnskippedOnLocalDay'>;
  sweepState: Pick<SweepStateRepository, 'find'>;
  requests: Pick<SweepRequests, 'record' | 'enqueue'>;
  requestRows: Pick<SweepRequestRepository, 'countOpen' | 'countOnLocalDay'>;
  timeZone: string;
  retryAfterMinutes: number;
  retryMax: number;
};

export type RetryOutcome = { failedRunId: number; requestId: number; enqueued: boolean } | null;

const OPEN_REQUEST_WINDOW_MS = 48 * 3600_000;

export function createRetryCheck(deps: RetryCheckDeps) {
  return async function checkRetry(now: Date, redisUp: boolean): Promise<RetryOutcome> {
    if (deps.retryMax === 0) return null;
    const state = await deps.sweepState.find(deps.jobName);
    if (state && !state.enabled) return null;
    const today = localDate(now, deps.timeZone);
    // Skipped runs say nothing about whether today's reminders went out: look past them.
    const last = await deps.executionLog.lastUnskippedOnLocalDay(deps.jobName, today, deps.timeZone);
    if (!last || !['failed', 'timed_out', 'abandoned'].includes(last.status)) return null;
    if (now.getTime() - last.ended.getTime() < deps.retryAfterMinutes * 60_000) return null;
    if ((await deps.requestRows.countOpen(new Date(now.getTime() - OPEN_REQUEST_WINDOW_MS), ['catchup', 'retry'], deps.programmeId)) > 0) return null;
    if ((await deps.requestRows.countOnLocalDay('retry', today, deps.timeZone, deps.programmeId)) >= deps.retryMax) return null;
    const request = await deps.requests.record({ trigger: 'retry', requestedBy: 'watchdog', dedupeKey: `retry-after-run-${last.id}`, programmeId: deps.programmeId });
    if (!request) return null; // another tick asked for it a moment ago
    if (!redisUp) return { failedRunId: last.id, requestId: request.id, enqueued: false };
    await deps.requests.enqueue(request);
    return { failedRunId: last.id, requestId: request.id, enqueued: true };
  };
}
