/** A real SMTP server in the test process that keeps what it receives and can refuse on demand. */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export type ReceivedMail = { from: string; to: string[]; raw: string };

export async function startSmtpSink(opts: { replyDelayMs?: number } = {}) {
  const received: ReceivedMail[] = [];
  let refuseNext = 0;
  let open = 0;
  let maxOpen = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      callback();
    },
    onClose() {
      open -= 1;
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (b: Buffer) => (raw += b.toString()));
      stream.on('end', () => {
        if (refuseNext > 0) {
          refuseNext -= 1;
          const err = new Error('451 temporary failure, try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          return callback(err);
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        if (opts.replyDelayMs) setTimeout(callback, opts.replyDelayMs);
        else callback();
      });
    },
  });
  // A client that resets mid-transaction must not crash the test process.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Most connections that were open at once. */
    maxOpen: () => maxOpen,
    refuse: (n: number) => {
      refuseNext = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
