/**
 * Where the machine's CPU went during a measured phase: PostgreSQL, Redis, the worker processes,
 * this bench process and everything else (other users of the machine), from /proc in clock ticks.
 * On a shared 2-core machine this is what tells a bottleneck from a noisy neighbour.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_SECONDS = 0.01; // USER_HZ is 100 on Linux

export type CpuSnapshot = { at: number; busy: number; idle: number; byPid: Map<number, { comm: string; ticks: number }> };

function procTicks(pid: number): { comm: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // fields after ")": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    return { comm, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const v = cpu!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const busy = v.reduce((a, b) => a + b, 0) - idle;
  const byPid = new Map<number, { comm: string; ticks: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const t = procTicks(Number(d));
    if (t) byPid.set(Number(d), t);
  }
  return { at: performance.now(), busy, idle, byPid };
}

export type CpuUsage = {
  wallSeconds: number;
  /** CPU seconds by consumer over the phase. */
  postgres: number;
  redis: number;
  workers: number;
  bench: number;
  other: number;
  idle: number;
};

/** CPU seconds spent between two snapshots, grouped; `workerPids` are the worker processes. */
export function cpuUsage(a: CpuSnapshot, b: CpuSnapshot, workerPids: number[]): CpuUsage {
  const groups = { postgres: 0, redis: 0, workers: 0, bench: 0 };
  const workers = new Set(workerPids);
  for (const [pid, after] of b.byPid) {
    const before = a.byPid.get(pid);
    const d = after.ticks - (before && before.comm === after.comm ? before.ticks : 0);
    if (d <= 0) continue;
    if (workers.has(pid)) groups.workers += d;
    else if (pid === process.pid) groups.bench += d;
    else if (after.comm === 'postgres') groups.postgres += d;
    else if (after.comm.startsWith('redis-server')) groups.redis += d;
  }
  const busy = b.busy - a.busy;
  const known = groups.postgres + groups.redis + groups.workers + groups.bench;
  const s = (t: number) => +(t * TICK_SECONDS).toFixed(1);
  return {
    wallSeconds: +((b.at - a.at) / 1000).toFixed(1),
    postgres: s(groups.postgres),
    redis: s(groups.redis),
    workers: s(groups.workers),
    bench: s(groups.bench),
    other: s(Math.max(0, busy - known)),
    idle: s(b.idle - a.idle),
  };
}
