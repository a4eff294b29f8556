/** The micro-batcher's flushing rules, with a `run` the test releases by hand (no timers, no sleeps). */
import { createMicroBatcher, roundsByKey } from '@reminders/core/services/micro-batcher';

function controlledRun() {
  const calls: { items: number[]; release: (r?: (number | Error)[]) => void; fail: (e: Error) => void }[] = [];
  const run = (items: number[]) =>
    new Promise<(number | Error)[]>((resolve, reject) => {
      calls.push({ items, release: (r) => resolve(r ?? items.map((i) => i * 10)), fail: reject });
    });
  return { calls, run };
}
const turn = () => new Promise((r) => setImmediate(r));

it('an idle batcher sends at once; what arrives meanwhile waits and leaves together', async () => {
  const { calls, run } = controlledRun();
  const b = createMicroBatcher<number, number>({ run, maxBatchSize: 100 });
  const first = b.submit(1);
  await turn();
  expect(calls.map((c) => c.items)).toEqual([[1]]);
  const later = [2, 3, 4].map((i) => b.submit(i));
  await turn();
  expect(calls).toHaveLength(1); // a small batch does not overtake the one in flight
  calls[0]!.release();
  expect(await first).toBe(10);
  await turn();
  expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
  calls[1]!.release();
  expect(await Promise.all(later)).toEqual([20, 30, 40]);
});

it('a full batch may overlap the one in flight, up to maxInFlight', async () => {
  const { calls, run } = controlledRun();
  const b = createMicroBatcher<number, number>({ run, maxBatchSize: 2, maxInFlight: 2 });
  const all = [1, 2, 3, 4, 5, 6, 7].map((i) => b.submit(i));
  await turn();
  expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4]]);
  expect(b.stats()).toMatchObject({ pending: 3, inFlight: 2 });
  calls[0]!.release();
  await turn();
  await turn();
  expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4], [5, 6]]);
  for (const c of calls.slice(1)) c.release();
  await turn();
  await turn();
  calls[3]!.release();
  expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50, 60, 70]);
  expect(b.stats()).toMatchObject({ pending: 0, inFlight: 0, batches: 4, largest: 2 });
});

it('an Error result rejects only its own caller; a thrown error rejects the whole batch', async () => {
  const { calls, run } = controlledRun();
  const b = createMicroBatcher<number, number>({ run });
  const [a, bad] = [b.submit(1), b.submit(2)];
  await turn();
  calls[0]!.release([10, new Error('row 2 failed')]);
  expect(await a).toBe(10);
  await expect(bad).rejects.toThrow('row 2 failed');

  const [c, d] = [b.submit(3), b.submit(4)];
  await turn();
  calls[1]!.fail(new Error('connection lost'));
  await expect(c).rejects.toThrow('connection lost');
  await expect(d).rejects.toThrow('connection lost');
  // and it keeps working afterwards
  const e = b.submit(5);
  await turn();
  calls[2]!.release();
  expect(await e).toBe(50);
});

it('with lingerMs, a batch that is not full waits that long for company; a full one leaves at once', async () => {
  const { calls, run } = controlledRun();
  const b = createMicroBatcher<number, number>({ run, maxBatchSize: 3, lingerMs: 30 });
  const lone = b.submit(1);
  await turn();
  expect(calls).toHaveLength(0);
  const more = [b.submit(2)];
  await new Promise((r) => setTimeout(r, 60));
  expect(calls.map((c) => c.items)).toEqual([[1, 2]]);
  calls[0]!.release();
  await Promise.all([lone, ...more]);
  const full = [3, 4, 5].map((i) => b.submit(i));
  await turn();
  expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4, 5]]);
  calls[1]!.release();
  expect(await Promise.all(full)).toEqual([30, 40, 50]);
});

it('roundsByKey puts repeats of a key into later rounds, keeping the original positions', () => {
  expect(roundsByKey(['a', 'b', 'a', 'c', 'a', 'b'], (x) => x)).toEqual([
    [{ item: 'a', index: 0 }, { item: 'b', index: 1 }, { item: 'c', index: 3 }],
    [{ item: 'a', index: 2 }, { item: 'b', index: 5 }],
    [{ item: 'a', index: 4 }],
  ]);
});
