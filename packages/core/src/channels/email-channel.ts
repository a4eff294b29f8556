/** The e-mail channel (nodemailer over SMTP_URL). Absent when SMTP_URL is not set. */
import nodemailer from 'nodemailer';

export type EmailMessage = {
  to: string;
  cc?: string | null;
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post). */
  headers?: Record<string, string>;
};

export type EmailChannel = {
  send(message: EmailMessage): Promise<void>;
  close(): void;
};

export type EmailPoolOptions = {
  /** SMTP connections kept open at once. @defaultValue 5 */
  maxConnections?: number;
  /** Messages sent over one connection before it is replaced. @defaultValue 1000 */
  maxMessages?: number;
  /** An idle connection is closed after this long (QUIT), so nothing lingers after a sweep. @defaultValue 1000 */
  idleTimeoutMs?: number;
};

export type EmailChannelOptions = {
  smtpUrl: string;
  from: string;
  pool?: EmailPoolOptions;
  /**
   * Longest silence on an SMTP connection before a send is given up (nodemailer's own default is
   * 10 minutes). Reminder e-mail keeps it well inside EMAIL_LEASE_SECONDS.
   */
  socketTimeoutMs?: number;
};

/**
 * With `pool`, messages share a few long-lived SMTP connections instead of one connection (TCP
 * handshake, greeting, EHLO) per message; servers often delay their greeting on purpose
 * (smtp-server by 100 ms, postscreen by seconds), so for a sweep's burst this is the difference
 * between tens and thousands of messages per second.
 */
export function createEmailChannel(deps: EmailChannelOptions): EmailChannel {
  const url = deps.pool ? pooledUrl(deps.smtpUrl, deps.pool) : deps.smtpUrl;
  const timeouts: Record<string, number> = deps.socketTimeoutMs ? { socketTimeout: deps.socketTimeoutMs, greetingTimeout: Math.min(30_000, deps.socketTimeoutMs), connectionTimeout: Math.min(120_000, deps.socketTimeoutMs) } : {};
  const transport = nodemailer.createTransport(withOptions(url, timeouts), { from: deps.from });
  return {
    async send(m) {
      await transport.sendMail({
        from: deps.from,
        to: m.to,
        cc: m.cc ?? undefined,
        subject: m.subject,
        text: m.text,
        html: m.html,
        headers: m.headers,
        // A stable Message-ID lets receiving servers drop a copy re-sent after a crash mid-delivery.
        messageId: m.messageId,
      });
    },
    close: () => transport.close(),
  };
}

/** Options as nodemailer URL query parameters (any the URL already sets win). */
function withOptions(url: string, options: Record<string, number>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(options)) if (!u.searchParams.has(k)) u.searchParams.set(k, String(v));
  return u.toString();
}

/** SMTP_URL with the pool settings as query options (nodemailer's URL form); any the URL already sets win. */
function pooledUrl(smtpUrl: string, pool: EmailPoolOptions): string {
  const u = new URL(smtpUrl);
  const set = (k: string, v: string) => {
    if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  };
  set('pool', 'true');
  set('maxConnections', String(pool.maxConnections ?? 5));
  set('maxMessages', String(pool.maxMessages ?? 1000));
  set('idleTimeout', String(pool.idleTimeoutMs ?? 1000));
  return u.toString();
}
