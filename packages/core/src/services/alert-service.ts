/**
 * Raises alerts: stored first (once per incident), then delivered to every configured channel with
 * a few quick retries. Delivery problems are recorded and retried by the watchdog later; they never
 * propagate, so a broken webhook can never fail a sweep run.
 */
import type { AlertChannel } from '../channels/alert-channels';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { AlertKind, AlertRepository } from '../repositories/alert-repository';

export type RaiseAlert = { kind: AlertKind; incidentKey: string; title: string; text: string; details?: Record<string, unknown>; runId?: number | null };

export type AlertServiceDeps = {
  alerts: AlertRepository;
  channels: AlertChannel[];
  clock: Clock;
  logger: Logger;
  /** Delays between the quick retries of one delivery. @defaultValue [200, 1000] */
  retryDelaysMs?: number[];
  /** Give up on an alert after this many delivery attempts in all. @defaultValue 10 */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createAlertService(deps: AlertServiceDeps) {
  const retryDelays = deps.retryDelaysMs ?? [200, 1000];
  const maxAttempts = deps.maxAttempts ?? 10;
  const sleep = deps.sleep ?? defaultSleep;

  async function deliver(id: number, m: { kind: string; title: string; text: string; details: Record<string, unknown> }): Promise<boolean> {
    if (deps.channels.length === 0) {
      // Stored and visible (GET /v1/alerts, /metrics), but nobody was told: say so on the row.
      await deps.alerts.markFailed(id, 'no alert channel configured (ALERT_WEBHOOK_URL, ALERT_EMAIL_TO)', 0);
      return false;
    }
    let attempts = 0;
    let lastError = '';
    for (let i = 0; i <= retryDelays.length; i++) {
      attempts += 1;
      const failures: string[] = [];
      for (const ch of deps.channels) {
        try {
          await ch.deliver(m);
        } catch (err) {
          failures.push(`${ch.name}: ${(err as Error).message}`);
        }
      }
      if (failures.length === 0) {
        await deps.alerts.markDelivered(id, deps.clock.now(), attempts);
        return true;
      }
      lastError = failures.join('; ');
      if (i < retryDelays.length) await sleep(retryDelays[i]!);
    }
    await deps.alerts.markFailed(id, lastError, attempts);
    deps.logger.error({ alertId: id, kind: m.kind, error: lastError }, 'alert delivery failed; the watchdog will retry');
    return false;
  }

  return {
    /** Stores and delivers the alert; returns false when this incident was already raised. */
    async raise(a: RaiseAlert): Promise<boolean> {
      try {
        const details = { ...(a.details ?? {}), incident: a.incidentKey };
        const id = await deps.alerts.insertOnce({ kind: a.kind, incidentKey: a.incidentKey, message: `${a.title}: ${a.text}`, details, runId: a.runId, now: deps.clock.now() });
        if (id === null) return false;
        deps.logger.warn({ alertId: id, kind: a.kind, incident: a.incidentKey }, a.title);
        await deliver(id, { kind: a.kind, title: a.title, text: a.text, details });
        return true;
      } catch (err) {
        deps.logger.error({ err, kind: a.kind }, 'could not raise alert');
        return false;
      }
    },

    wasRaised: (kind: AlertKind, incidentKey: string) => deps.alerts.exists(kind, incidentKey),

    /** Whether any channel (webhook, e-mail) is configured. */
    hasChannels: () => deps.channels.length > 0,

    /** Retries alerts whose delivery failed earlier (called by the watchdog). */
    async retryUndelivered(): Promise<number> {
      if (deps.channels.length === 0) return 0;
      let delivered = 0;
      for (const a of await deps.alerts.undelivered(maxAttempts)) {
        const [title, ...rest] = a.message.split(': ');
        const ok = await deliver(a.id, { kind: a.kind, title: title ?? a.kind, text: rest.join(': '), details: a.details as Record<string, unknown> });
        if (ok) delivered += 1;
      }
      return delivered;
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;
