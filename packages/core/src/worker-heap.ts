/**
 * The V8 heap a worker process runs with (issue 17). Left to V8's defaults, a busy worker's heap
 * grows far beyond what it keeps alive: its live heap stays small (pages of due ids, jobs in
 * flight), but V8 sizes the young generation and lets old space grow by allocation rate, so RSS
 * followed the heap's headroom, not the work. These caps keep a worker near its live set; the
 * figures behind them are in docs/benchmarks.md ("Worker memory").
 *
 * Node takes heap flags only at start, so they are given where a worker is started: `reminders
 * start` adds them to its serve-worker child, docker-compose.yml sets NODE_OPTIONS on the worker
 * service, the bench starts its workers with them. A flag the operator already gave (on the
 * command line or in NODE_OPTIONS) wins.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/** The worker's old-space cap in MiB (V8's heap limit is this plus three semi-spaces: 288 MiB). */
export const WORKER_OLD_SPACE_MB = 192;
/**
 * The young generation's semi-space cap in MiB, chosen by measurement (2026-12-07, 100,000
 * assignments, 1 worker x 500, no other load): a worker allocates fast (job objects, result rows)
 * and keeps little, so a small young generation means many scavenges; at 8 MiB the garbage
 * collector took 21% of the worker's time. Run / peak RSS: 8 MiB 19.9 s / 172 MB, 16 MiB 18.8 s /
 * 186 MB, 32 MiB 17.7 s / 219 MB, 64 MiB 17.2 s / 272 MB (over issue 17's 250 MB).
 */
export const WORKER_SEMI_SPACE_MB = 32;
export const WORKER_HEAP_FLAGS: readonly string[] = Object.freeze([`--max-old-space-size=${WORKER_OLD_SPACE_MB}`, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
/** The caps as NODE_OPTIONS carries them (docker-compose.yml has this value, its test checks it). */
export const WORKER_NODE_OPTIONS = WORKER_HEAP_FLAGS.join(' ');

const flagName = (flag: string) => flag.split('=')[0]!.replace(/_/g, '-');

/** The default flags whose option neither `execArgv` nor `nodeOptions` sets already. */
export function workerHeapFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)].map(flagName));
  return WORKER_HEAP_FLAGS.filter((f) => !given.has(flagName(f)));
}

/** This process's heap limit in MiB, as V8 enforces it (for the worker's start-up line). */
export const heapLimitMb = (): number => Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);

/**
 * Prisma's query compiler is WebAssembly. V8 compiles it twice by default, at once with its
 * baseline compiler (Liftoff) and then again, on background threads, with its optimizing one
 * (TurboFan), and the memory that second compile takes stays with the process: 215 MB RSS for an
 * idle worker, 148 MB with Liftoff only (measured with the build, Node 20). The worker's Prisma
 * queries are few (run records, heartbeats, the watchdog); its hot path, the batch statements, goes
 * through pg and never touches the compiler, so the optimizing tier buys it nothing (a 100k run was
 * no slower). A compile flag, read when a module is compiled: call this before the Prisma client is
 * loaded. The API keeps both tiers: every request there goes through Prisma.
 */
export function useBaselineWasmCompiler(): void {
  setFlagsFromString('--liftoff-only');
}
