/**
 * Alerts: the channels (webhook, e-mail: one small SMTP transport, alerts are rare) and the alert
 * service, and the run-outcome alerts the sweep raises. Only processes that raise alerts build it.
 */
import { createAlertChannels } from '../channels/alert-channels';
import { createEmailChannel } from '../channels/email-channel';
import { DEFAULT_PROGRAMME, programmeJobName } from '../domain/programme-names';
import { perProgramme } from './per-programme';
import { createAlertService } from '../services/alert-service';
import { createRunAlerts } from '../services/run-alerts';
import type { Core } from './core';

export function createAlerting(core: Core) {
  const { config, logger, clock } = core;
  const email = config.smtpUrl ? createEmailChannel({ smtpUrl: config.smtpUrl, from: config.smtpFrom }) : null;
  const alerts = createAlertService({ alerts: core.repositories.alerts, channels: createAlertChannels(config, email), clock, logger });
  const runAlertsFor = perProgramme((programme) =>
    createRunAlerts({ executionLog: core.repositories.executionLog, alerts, jobName: programmeJobName(programme), programme, failureThreshold: config.alerts.failureThreshold }),
  );
  return {
    alerts,
    runAlerts: runAlertsFor(DEFAULT_PROGRAMME),
    runAlertsFor,
    close: () => email?.close(),
  };
}

export type Alerting = ReturnType<typeof createAlerting>;
