/** A pino destination that keeps every line written to it, for tests that check what was logged. */
import { Writable } from 'node:stream';

export function captureLogs() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, sink };
}
