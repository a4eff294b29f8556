/**
 * A redis-server of the scenario's own, on a free port of 127.0.0.1 with an append-only file in a
 * temporary directory, so the scenario can stop, crash and restart it without touching the
 * machine's shared Redis. Restarts reuse the port and the directory: the data survives a graceful
 * restart (the AOF is flushed on SIGTERM) exactly as it would in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export type RedisServer = {
  port: number;
  url: string;
  dir: string;
  /** Starts the server (again); resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it: SIGTERM is a graceful shutdown (AOF flushed), SIGKILL a crash. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** stop, stay down for `downMs`, start again. */
  restart(downMs: number, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
  isUp(): boolean;
};

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function ping(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | null = null;
  let log = '';

  async function start() {
    if (proc) return;
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    child.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    proc = child;
    const deadline = Date.now() + 10_000;
    while (!(await ping(url))) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited: ${log}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s: ${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') {
    const child = proc;
    if (!child) return;
    proc = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    url,
    dir,
    start,
    stop,
    async restart(downMs, signal = 'SIGTERM') {
      await stop(signal);
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async destroy() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    isUp: () => proc !== null,
  };
}
