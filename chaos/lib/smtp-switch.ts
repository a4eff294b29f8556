/**
 * An in-process SMTP server on a fixed port that can be taken down (the port closed: connections
 * are refused, as with a mail relay that is down) and brought back on the same port. It counts
 * deliveries per Message-ID, so a reminder e-mailed twice shows up even though its id is stable.
 */
import { SMTPServer } from 'smtp-server';
import { freePort } from './redis-server';

/** A message the server accepted (its data arrived), as received. */
export type AcceptedMessage = { messageId: string; to: string[]; raw: string; at: number };

export type SmtpSwitch = {
  url: string;
  /** Deliveries per Message-ID (a duplicate is a count above 1). */
  byMessageId: Map<string, number>;
  /** Every message accepted, in order (raw, for scenarios that read what was sent). */
  messages: AcceptedMessage[];
  /**
   * Message-IDs whose data has arrived (counted) and whose 250 is still to be answered (the relay
   * latency): a sender killed now has had the message accepted without knowing it.
   */
  awaitingReply: Map<string, number>;
  total(): number;
  up(): Promise<void>;
  down(): Promise<void>;
  isUp(): boolean;
};

const MESSAGE_ID_RE = /^Message-ID:\s*(<[^>\r\n]+>)/im;

/**
 * `acceptDelayMs`: the relay counts a message when its data has arrived and answers 250 this much
 * later (a real relay's latency), so a sender frozen or killed in that gap has had its message
 * accepted without knowing it: the window the leased outbox leaves open.
 */
export async function startSmtpSwitch(opts: { up?: boolean; acceptDelayMs?: number; acceptDelayMaxMs?: number } = {}): Promise<SmtpSwitch> {
  const port = await freePort();
  const byMessageId = new Map<string, number>();
  const messages: AcceptedMessage[] = [];
  const awaitingReply = new Map<string, number>();
  // `acceptDelayMaxMs`: the latency is drawn uniformly from [acceptDelayMs, acceptDelayMaxMs] per message.
  const delay = () => {
    const min = opts.acceptDelayMs ?? 0;
    const max = Math.max(min, opts.acceptDelayMaxMs ?? min);
    return Math.round(min + Math.random() * (max - min));
  };
  let server: SMTPServer | null = null;

  function create() {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (b: Buffer) => (raw += b.toString()));
        stream.on('end', () => {
          const id = MESSAGE_ID_RE.exec(raw)?.[1] ?? `<no-id-${byMessageId.size}>`;
          byMessageId.set(id, (byMessageId.get(id) ?? 0) + 1);
          messages.push({ messageId: id, to: session.envelope.rcptTo.map((r) => r.address), raw, at: Date.now() });
          const ms = delay();
          if (!ms) return callback();
          awaitingReply.set(id, (awaitingReply.get(id) ?? 0) + 1);
          setTimeout(() => {
            const n = (awaitingReply.get(id) ?? 1) - 1;
            if (n > 0) awaitingReply.set(id, n);
            else awaitingReply.delete(id);
            callback();
          }, ms);
        });
      },
    });
  }

  const sw: SmtpSwitch = {
    url: `smtp://127.0.0.1:${port}`,
    byMessageId,
    messages,
    awaitingReply,
    total: () => [...byMessageId.values()].reduce((a, b) => a + b, 0),
    async up() {
      if (server) return;
      const s = create();
      // A worker SIGKILLed in the middle of an SMTP transaction resets its connection; the server
      // reports that as an 'error' event, which must not take this process down.
      s.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async down() {
      const s = server;
      if (!s) return;
      server = null;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    isUp: () => server !== null,
  };
  if (opts.up !== false) await sw.up();
  return sw;
}
