/** The worker's heap caps are added where a worker starts, unless the operator gave their own. */
import { execFileSync, spawnSync } from 'node:child_process';
import { WORKER_HEAP_FLAGS, WORKER_OLD_SPACE_MB, WORKER_SEMI_SPACE_MB, workerHeapFlags } from '@reminders/core/worker-heap';

it('adds every cap when none is given', () => {
  expect(workerHeapFlags([], '')).toEqual([...WORKER_HEAP_FLAGS]);
  expect(workerHeapFlags(['--enable-source-maps'], '--enable-source-maps')).toEqual([...WORKER_HEAP_FLAGS]);
});

it("leaves out a cap the command line or NODE_OPTIONS already sets (either spelling), so the operator's wins", () => {
  expect(workerHeapFlags(['--max-old-space-size=512'], '')).toEqual(WORKER_HEAP_FLAGS.filter((f) => !f.startsWith('--max-old-space-size')));
  expect(workerHeapFlags([], '--enable-source-maps  --max_semi_space_size=16')).toEqual(WORKER_HEAP_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size')));
  expect(workerHeapFlags(['--max-old-space-size=512'], '--max-semi-space-size=16')).toEqual([]);
});

it('are flags this Node accepts, and cap the heap V8 enforces', () => {
  const limitMb = Number(execFileSync(process.execPath, [...WORKER_HEAP_FLAGS, '-p', "Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20)"], { encoding: 'utf8' }));
  const defaultMb = Number(execFileSync(process.execPath, ['-p', "Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20)"], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }));
  expect(limitMb).toBeGreaterThanOrEqual(WORKER_OLD_SPACE_MB);
  expect(limitMb).toBeLessThanOrEqual(WORKER_OLD_SPACE_MB + 3 * WORKER_SEMI_SPACE_MB);
  expect(defaultMb).toBeGreaterThan(limitMb);
});

it('the baseline-only WebAssembly compiler the worker sets is a flag this Node knows, and WebAssembly still runs under it', () => {
  // (module (func (export "answer") (result i32) i32.const 42))
  const script = `
    require('@reminders/core/worker-heap').useBaselineWasmCompiler();
    const bytes = Uint8Array.from([0,97,115,109,1,0,0,0,1,5,1,96,0,1,127,3,2,1,0,7,10,1,6,97,110,115,119,101,114,0,0,10,6,1,4,0,65,42,11]);
    console.log(new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.answer());`;
  // An unknown flag is not an exception: V8 prints a complaint and goes on.
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
  expect({ status: r.status, stdout: r.stdout.trim(), stderr: r.stderr }).toEqual({ status: 0, stdout: '42', stderr: '' });
});
