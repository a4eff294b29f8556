/**
 * The e-mail channel's far end for a benchmark: a real SMTP server (smtp-server) on 127.0.0.1
 * that accepts everything and keeps only counts and Message-IDs (a million raw messages would not
 * fit in memory), so the bench can check that every reminder was e-mailed exactly once.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type BenchSmtpSink = {
  url: string;
  /** Messages accepted since the last reset. */
  received: () => number;
  /** Message-IDs seen more than once since the last reset. */
  duplicates: () => number;
  reset: () => void;
  close: () => Promise<void>;
};

export async function startBenchSmtpSink(opts: { replyDelayMs?: number } = {}): Promise<BenchSmtpSink> {
  const replyDelayMs = opts.replyDelayMs ?? 0;
  let ids = new Set<string>();
  let received = 0;
  let duplicates = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Pooled senders keep connections open; do not let that hold up the bench's exit.
    closeTimeout: 100,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (b: Buffer) => {
        if (head.length < 4096) head += b.toString('latin1');
      });
      stream.on('end', () => {
        received += 1;
        const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1];
        if (id) {
          if (ids.has(id)) duplicates += 1;
          else ids.add(id);
        }
        if (replyDelayMs > 0) setTimeout(callback, replyDelayMs);
        else callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    duplicates: () => duplicates,
    reset: () => {
      ids = new Set();
      received = 0;
      duplicates = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
