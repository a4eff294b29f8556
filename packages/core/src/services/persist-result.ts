/**
 * Records the result of a send that already happened (an e-mail's "sent" or "failed" mark), trying
 * again with a growing pause while the database refuses: the message is out, so the mark must not
 * be given up lightly, and it is never a reason to send again. The reminders' outbox and the digest
 * outbox both record through this.
 */
import type { Logger } from '../logger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type PersistResultOptions = {
  logger: Logger;
  /** Tries before the last error is thrown. */
  tries: number;
  /** The longest pause between two tries (the pause doubles from 200 ms up to it). */
  maxPauseMs: number;
  /** The warning logged for each failed try. */
  message: string;
};

export function createResultPersister(o: PersistResultOptions) {
  return async function persist<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= o.tries) throw err;
        o.logger.warn({ what, attempt, err: { message: (err as Error).message } }, o.message);
        await sleep(Math.min(100 * 2 ** attempt, o.maxPauseMs));
      }
    }
  };
}
