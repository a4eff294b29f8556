/**
 * Alerts that follow from a finished run: `consecutive_failures` once the failure counter reaches
 * ALERT_FAILURE_THRESHOLD (once per streak of failures), `recovered` when a run succeeds after such
 * an alert, and `blast_radius` when the guard holds a run.
 */
import type { ExecutionLogRepository } from '../repositories/execution-log-repository';
import type { AlertService } from './alert-service';
import type { RunResult } from './sweep-run-service';

export type RunAlertsDeps = { executionLog: Pick<ExecutionLogRepository, 'failureStreakStart'>; alerts: AlertService; jobName: string; failureThreshold: number };

export function createRunAlerts(deps: RunAlertsDeps) {
  /** The first failed run of the streak that ends at (or includes) `runId`: the incident's name. */
  const streakStart = (runId: number) => deps.executionLog.failureStreakStart(deps.jobName, runId);

  return {
    async onRunFinished(r: RunResult & { consecutiveFailures: number }): Promise<void> {
      if (r.status === 'succeeded') {
        const start = await streakStart(r.runId);
        if (start !== null) {
          // The streak that just ended: recover only if it had been alerted on.
          const key = `streak-from-run-${start}`;
          if (await deps.alerts.wasRaised('consecutive_failures', key)) {
            await deps.alerts.raise({
              kind: 'recovered',
              incidentKey: key,
              runId: r.runId,
              title: 'Reminder sweep recovered',
              text: `Run ${r.runId} succeeded after the failures that started with run ${start}; the failure counter is reset.`,
              details: { runId: r.runId, counts: r.counts },
            });
          }
        }
        return;
      }
      if (r.consecutiveFailures < deps.failureThreshold) return;
      const start = await streakStart(r.runId);
      await deps.alerts.raise({
        kind: 'consecutive_failures',
        incidentKey: `streak-from-run-${start ?? r.runId}`,
        runId: r.runId,
        title: `Reminder sweep failed ${r.consecutiveFailures} times in a row`,
        text: `Latest: run ${r.runId} ${r.status}: ${r.error ?? 'no error text'}. Runbook: Troubleshooting.`,
        details: { runId: r.runId, status: r.status, consecutiveFailures: r.consecutiveFailures, firstFailedRun: start },
      });
    },

    async onHeld(h: { runId: number; reason: string }): Promise<void> {
      await deps.alerts.raise({
        kind: 'blast_radius',
        incidentKey: `run-${h.runId}`,
        runId: h.runId,
        title: `Reminder run ${h.runId} held: unusually many reminders due`,
        text: `${h.reason}. Nothing was sent. Check the data, then \`npx reminders trigger --confirm ${h.runId}\` or \`--cancel ${h.runId}\`.`,
        details: { runId: h.runId },
      });
    },
  };
}

export type RunAlerts = ReturnType<typeof createRunAlerts>;
