/** Plain-text rendering of runs and status for the terminal. */
import type { RunCounts } from '@reminders/core/repositories/execution-log-repository';

type RunRow = {
  id: number;
  trigger: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
  workerId: string;
  triggeredBy: string | null;
} & RunCounts;

export function formatRun(r: RunRow): string {
  const dur = r.durationMs === null ? 'running' : `${(r.durationMs / 1000).toFixed(1)} s`;
  return [
    `run ${r.id} ${r.status} (${r.trigger}${r.triggeredBy ? ` by ${r.triggeredBy}` : ''}) on ${r.workerId}`,
    `  started ${r.startedAt.toISOString()}, ${dur}`,
    `  evaluated ${r.assignmentsEvaluated}, enqueued ${r.remindersEnqueued}, sent ${r.remindersSent}, suppressed ${r.remindersSuppressed}, skipped ${r.remindersSkipped}, failed ${r.remindersFailed}${r.remindersLost ? `, lost ${r.remindersLost}` : ""}`,
    ...(r.error ? [`  ${r.error}`] : []),
  ].join('\n');
}

/** The `workers:` line of `reminders status`: live workers and how long ago each beat, or since when there is none. */
export function workersLine(w: { live: { workerId: string; lastSeen: Date }[]; lastSeen: Date | null }, now: Date): string {
  if (w.live.length) return `workers: ${w.live.map((x) => `${x.workerId} (${Math.max(0, Math.round((now.getTime() - x.lastSeen.getTime()) / 1000))}s ago)`).join(', ')}`;
  return `workers: NONE running (last heartbeat ${w.lastSeen?.toISOString() ?? 'not in the last 7 days'})`;
}

export function runLine(r: RunRow): string {
  const dur = r.durationMs === null ? '-' : `${(r.durationMs / 1000).toFixed(1)}s`;
  return [String(r.id).padStart(6), r.startedAt.toISOString().slice(0, 19).replace('T', ' '), r.trigger.padEnd(9), r.status.padEnd(21), dur.padStart(8), `sent ${r.remindersSent}/${r.remindersEnqueued}`, r.error ? `  ${r.error.slice(0, 80)}` : ''].join('  ');
}
