/** Where alerts go: a Slack-compatible webhook and/or e-mail. Each channel throws on failure. */
import type { Config } from '../config';
import type { EmailChannel } from './email-channel';

export type AlertMessage = { kind: string; title: string; text: string; details: Record<string, unknown> };

export type AlertChannel = { name: string; deliver(m: AlertMessage): Promise<void> };

const ICON: Record<string, string> = {
  consecutive_failures: ':rotating_light:',
  long_run: ':hourglass:',
  missed_run: ':warning:',
  scheduler_missing: ':warning:',
  pause_overdue: ':double_vertical_bar:',
  blast_radius: ':octagonal_sign:',
  recovered: ':white_check_mark:',
};

export function createWebhookAlertChannel(deps: { url: string; timeoutMs?: number }): AlertChannel {
  return {
    name: 'webhook',
    async deliver(m) {
      const res = await fetch(deps.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Slack's incoming-webhook shape: `text` is shown everywhere, `blocks` where supported.
        body: JSON.stringify({
          text: `${ICON[m.kind] ?? ''} ${m.title}`.trim(),
          blocks: [
            { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150) } },
            { type: 'section', text: { type: 'mrkdwn', text: m.text } },
          ],
          kind: m.kind,
          details: m.details,
        }),
        signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    },
  };
}

export function createEmailAlertChannel(deps: { email: EmailChannel; to: string }): AlertChannel {
  return {
    name: 'email',
    deliver: (m) => deps.email.send({ to: deps.to, subject: `[reminders] ${m.title}`, text: `${m.text}\n\n${JSON.stringify(m.details, null, 2)}\n` }),
  };
}

/** The channels configured by ALERT_WEBHOOK_URL and ALERT_EMAIL_TO (e-mail needs SMTP_URL too). */
export function createAlertChannels(config: Pick<Config, 'alerts'>, email: EmailChannel | null): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (config.alerts.webhookUrl) channels.push(createWebhookAlertChannel({ url: config.alerts.webhookUrl }));
  if (config.alerts.emailTo && email) channels.push(createEmailAlertChannel({ email, to: config.alerts.emailTo }));
  return channels;
}
