/**
 * Groups concurrent calls into one batch: callers `submit` an item and get their own result back,
 * while the batch is handed to `run` in one go. No timer: when nothing is in flight a batch leaves
 * on the next turn of the event loop with whatever has arrived; while a batch is in flight, new
 * items wait for it (like Nagle's algorithm) unless a full batch has gathered, which may overlap
 * it (up to `maxInFlight`). So an idle worker pays no added latency, and a busy one turns N round
 * trips into about N / batch size without ever sending a small batch beside a big one.
 */

export type MicroBatcherOptions<I, O> = {
  /**
   * Runs one batch and returns one result per item, in the same order. An `Error` in the result
   * rejects only that item's caller; a thrown error rejects every caller in the batch.
   */
  run: (items: I[]) => Promise<(O | Error)[]>;
  /** Largest batch handed to `run`; a batch this full may leave while another is in flight. @defaultValue 500 */
  maxBatchSize?: number;
  /** Batches allowed in flight at once (one round trip each). @defaultValue 2 */
  maxInFlight?: number;
  /**
   * How long a batch that is not full waits for company before it leaves. 0 (the default) sends
   * on the next turn of the event loop; a few ms suit callers that arrive spread out in time
   * (jobs finishing their SMTP exchange one by one) and are not waiting on anything else.
   * @defaultValue 0
   */
  lingerMs?: number;
};

export type MicroBatcher<I, O> = {
  submit(item: I): Promise<O>;
  /** Items waiting plus batches in flight (for tests and metrics). */
  stats(): { pending: number; inFlight: number; batches: number; largest: number };
};

type Waiting<I, O> = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };

export function createMicroBatcher<I, O>(opts: MicroBatcherOptions<I, O>): MicroBatcher<I, O> {
  const maxBatchSize = opts.maxBatchSize ?? 500;
  const maxInFlight = opts.maxInFlight ?? 2;
  const lingerMs = opts.lingerMs ?? 0;
  let pending: Waiting<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;
  let batches = 0;
  let largest = 0;

  const ready = () => pending.length > 0 && inFlight < maxInFlight && (inFlight === 0 || pending.length >= maxBatchSize);

  let lingering: NodeJS.Timeout | null = null;

  function schedule() {
    // A batch that fills up while it lingers leaves at once.
    if (lingering && pending.length >= maxBatchSize) {
      clearTimeout(lingering);
      lingering = null;
      scheduled = false;
    }
    if (scheduled || !ready()) return;
    scheduled = true;
    if (lingerMs > 0 && pending.length < maxBatchSize) lingering = setTimeout(flush, lingerMs);
    else setImmediate(flush);
  }

  function flush() {
    scheduled = false;
    lingering = null;
    while (ready()) {
      const batch = pending.length <= maxBatchSize ? pending : pending.slice(0, maxBatchSize);
      pending = pending.length <= maxBatchSize ? [] : pending.slice(maxBatchSize);
      inFlight += 1;
      batches += 1;
      largest = Math.max(largest, batch.length);
      void runBatch(batch);
    }
  }

  async function runBatch(batch: Waiting<I, O>[]) {
    try {
      const results = await opts.run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      batch.forEach((w, i) => {
        const r = results[i]!;
        if (r instanceof Error) w.reject(r);
        else w.resolve(r);
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      inFlight -= 1;
      schedule();
    }
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        schedule();
      });
    },
    stats: () => ({ pending: pending.length, inFlight, batches, largest }),
  };
}

/**
 * Splits items so that no two in one round share a key (the first occurrence of each key goes in
 * round 1, the second in round 2, ...). Rounds run one after another, so a repeated item sees the
 * effect of the earlier one exactly as if they had been sent separately.
 */
export function roundsByKey<T>(items: T[], key: (t: T) => string | number): { item: T; index: number }[][] {
  const seen = new Map<string | number, number>();
  const rounds: { item: T; index: number }[][] = [];
  items.forEach((item, index) => {
    const k = key(item);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    (rounds[n] ??= []).push({ item, index });
  });
  return rounds;
}
