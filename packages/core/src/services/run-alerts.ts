/**
 * Alerts that follow from a finished run: `consecutive_failures` once the failure counter reaches
 * ALERT_FAILURE_THRESHOLD (once per streak of failures), `recovered` when a run succeeds after such
 * an alert, and `blast_radius` when the guard holds a run.
 */
import type { ExecutionLogRepository } from '../repositories/execution-log-repository';
import type { AlertService } from './alert-service';
import type { RunResult } from './sweep-run-service';
import { DEFAULT_PROGRAMME_ID } from '../domain/programme';
import type { ProgrammeRef } from '../domain/programme-names';

export type RunAlertsDeps = {
  executionLog: Pick<ExecutionLogRepository, 'failureStreakStart'>;
  alerts: AlertService;
  jobName: string;
  failureThreshold: number;
  /** The programme whose runs these are: every alert names it (default's keep their words, as before programmes). */
  programme?: ProgrammeRef;
};

export function createRunAlerts(deps: RunAlertsDeps) {
  const other = deps.programme && deps.programme.id !== DEFAULT_PROGRAMME_ID ? deps.programme : null;
  /** " (programme nyc)" in titles, "nyc:" before incident keys, for any programme but default. */
  const named = other ? ` (programme ${other.slug})` : '';
  const key = (k: string) => (other ? `${other.slug}:${k}` : k);
  const details = other ? { programme: other.slug } : {};
  /** The first failed run of the streak that ends at (or includes) `runId`: the incident's name. */
  const streakStart = (runId: number) => deps.executionLog.failureStreakStart(deps.jobName, runId);

  return {
    async onRunFinished(r: RunResult & { consecutiveFailures: number }): Promise<void> {
      if (r.status === 'succeeded') {
        const start = await streakStart(r.runId);
        if (start !== null) {
          // The streak that just ended: recover only if it had been alerted on.
          const incident = key(`streak-from-run-${start}`);
          if (await deps.alerts.wasRaised('consecutive_failures', incident)) {
            await deps.alerts.raise({
              kind: 'recovered',
              incidentKey: incident,
              runId: r.runId,
              title: `Reminder sweep${named} recovered`,
              text: `Run ${r.runId} succeeded after the failures that started with run ${start}; the failure counter is reset.`,
              details: { ...details, runId: r.runId, counts: r.counts },
            });
          }
        }
        return;
      }
      if (r.consecutiveFailures < deps.failureThreshold) return;
      const start = await streakStart(r.runId);
      await deps.alerts.raise({
        kind: 'consecutive_failures',
        incidentKey: key(`streak-from-run-${start ?? r.runId}`),
        runId: r.runId,
        title: `Reminder sweep${named} failed ${r.consecutiveFailures} times in a row`,
        text: `Latest: run ${r.runId} ${r.status}: ${r.error ?? 'no error text'}. Runbook: Troubleshooting.`,
        details: { ...details, runId: r.runId, status: r.status, consecutiveFailures: r.consecutiveFailures, firstFailedRun: start },
      });
    },

    async onHeld(h: { runId: number; reason: string }): Promise<void> {
      await deps.alerts.raise({
        kind: 'blast_radius',
        incidentKey: key(`run-${h.runId}`),
        runId: h.runId,
        title: `Reminder run ${h.runId}${named} held: unusually many reminders due`,
        text: `${h.reason}. Nothing was sent. Check the data, then \`npx reminders trigger --confirm ${h.runId}\` or \`--cancel ${h.runId}\`.`,
        details: { ...details, runId: h.runId },
      });
    },
  };
}

export type RunAlerts = ReturnType<typeof createRunAlerts>;
