/**
 * A benchmark's own database and Redis key prefix (created, migrated, and removed afterwards),
 * and worker processes whose peak RSS is read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '@reminders/core/config';
import { ensureDatabase, maintenanceUrl } from '@reminders/core/db/database-url';
import { migrate } from '@reminders/core/db/migrator';
import { WORKER_NODE_OPTIONS } from '@reminders/core/worker-heap';

/** The build (`npm run bench` builds it first): what `npm start` and the image run, without tsx's loader. */
const BIN = path.resolve(__dirname, '../dist/reminders.js');

export type BenchEnv = {
  databaseUrl: string;
  prefix: string;
  /** Deletes every Redis key under `prefix` (which must start with this bench's own prefix). */
  dropKeys: (prefix: string) => Promise<void>;
  vars: (extra?: Record<string, string>) => Record<string, string>;
  config: (extra?: Record<string, string>) => Config;
  destroy: () => Promise<void>;
};

export async function createBenchEnv(baseDatabaseUrl: string, redisUrl: string): Promise<BenchEnv> {
  const id = `${Date.now().toString(36)}${process.pid}`;
  const u = new URL(baseDatabaseUrl);
  u.pathname = `/reminders_bench_${id}`;
  const databaseUrl = u.toString();
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const prefix = `bench-${id}`;
  const vars = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    // Production refuses SMTP_URL without the addresses links in messages point to.
    APP_BASE_URL: 'https://app.bench.invalid',
    PUBLIC_API_URL: 'https://reminders.bench.invalid',
    ...extra,
  });
  const dropKeys = async (under: string) => {
    if (!under.startsWith(prefix)) throw new Error(`refusing to delete keys under ${under}: not this bench's prefix`);
    const redis = new Redis(redisUrl);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${under}*`, 'COUNT', 5000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  };
  return {
    databaseUrl,
    prefix,
    dropKeys,
    vars,
    config: (extra) => loadConfig(vars(extra)),
    destroy: async () => {
      const pg = new Client({ connectionString: maintenanceUrl(databaseUrl) });
      await pg.connect();
      await pg.query(`DROP DATABASE IF EXISTS "reminders_bench_${id}" WITH (FORCE)`);
      await pg.end();
      await dropKeys(prefix);
    },
  };
}

/** Peak RSS (VmHWM, the kernel's own high-water mark) of a process, read every 250 ms until it exits. */
export function peakRssSampler(pid: number) {
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      /* the process has exited */
    }
  };
  const timer = setInterval(sample, 250);
  return {
    peakMb: () => {
      sample();
      return Math.round(peakKb / 1024);
    },
    stop: () => {
      sample();
      clearInterval(timer);
    },
  };
}

export type BenchWorker = { proc: ChildProcess; peakRssMb: () => number; stop: () => Promise<void> };

/** Starts `reminders serve-worker` (or `bin serve-worker`) and resolves once it says it is ready. */
export async function startWorker(vars: Record<string, string>, bin = BIN): Promise<BenchWorker> {
  const proc = spawn(process.execPath, [bin, 'serve-worker'], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: WORKER_NODE_OPTIONS, ...vars, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rss = peakRssSampler(proc.pid!);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('"worker ready"')) resolve();
      if (out.length > 100_000) out = out.slice(-1000);
    });
    proc.on('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return {
    proc,
    peakRssMb: rss.peakMb,
    stop: async () => {
      rss.stop();
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.on('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
