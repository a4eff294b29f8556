/**
 * The reminder e-mail channel's pool against a real SMTP server that takes a while to accept each
 * message (as a relay does): SMTP_MAX_CONNECTIONS bounds the connections, and they carry the
 * messages in parallel, so a burst takes about messages / connections relay delays.
 */
import { createEmailChannel } from '@reminders/core/channels/email-channel';
import { loadConfig } from '@reminders/core/config';
import { startSmtpSink } from '../helpers/smtp-sink';

describe('reminder e-mail pool', () => {
  it('keeps SMTP_MAX_CONNECTIONS connections busy and never opens more', async () => {
    const config = loadConfig({ SMTP_MAX_CONNECTIONS: '3' });
    expect(config.smtpMaxConnections).toBe(3);
    const sink = await startSmtpSink({ replyDelayMs: 40 });
    const channel = createEmailChannel({ smtpUrl: sink.url, from: 'reminders@example.org', pool: { maxConnections: config.smtpMaxConnections } });
    try {
      const messages = Array.from({ length: 12 }, (_, i) => ({ to: `mentor${i}@example.org`, subject: `Reminder ${i}`, text: `Hello ${i}`, messageId: `<m${i}@test>` }));
      await Promise.all(messages.map((m) => channel.send(m)));
      expect(sink.received).toHaveLength(12);
      expect(new Set(sink.received.map((r) => r.to[0])).size).toBe(12);
      // All three in use at once (the answers are held back 40 ms each), and never a fourth.
      expect(sink.maxOpen()).toBe(3);
    } finally {
      channel.close();
      await sink.close();
    }
  });

  it('defaults to 10 connections and refuses a count outside 1..200', () => {
    expect(loadConfig({}).smtpMaxConnections).toBe(10);
    expect(() => loadConfig({ SMTP_MAX_CONNECTIONS: '201' })).toThrow(/SMTP_MAX_CONNECTIONS must be between 1 and 200/);
    expect(() => loadConfig({ SMTP_MAX_CONNECTIONS: 'many' })).toThrow(/SMTP_MAX_CONNECTIONS must be a whole number/);
  });
});
