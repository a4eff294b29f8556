/**
 * Real distributed Redis on loopback for tests and chaos scenarios: (a) a primary, a replica and
 * three sentinels; (b) a three-primary Cluster with one replica each (`redis-cli --cluster
 * create`). Every process is a real `redis-server` (`--sentinel` for sentinels, the same binary
 * Debian's redis-sentinel links to) on free ports, with its files in one temporary directory;
 * `destroy()` kills them all and removes the directory, and so does this process' exit.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type RedisProcess = {
  port: number;
  alive(): boolean;
  /** SIGKILL by default: a crash, nothing flushed. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  log(): string;
};

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port whose cluster-bus port (port + 10000) is free too. */
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) {
      taken.add(port);
      return port;
    }
  }
}

/** `redis-cli -p port args...` (stdout, trimmed). */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, log: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms${log() ? `: ${log().slice(-1500)}` : ''}`);
    await sleep(50);
  }
}

function spawnRedis(dir: string, port: number, args: string[]): RedisProcess {
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    port,
    alive,
    log: () => out,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (alive()) child.kill(signal);
      await exited;
    },
  };
}

async function startServer(root: string, port: number, extra: string[]): Promise<RedisProcess> {
  const dir = path.join(root, String(port));
  mkdirSync(dir, { recursive: true });
  const p = spawnRedis(dir, port, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
    '--daemonize', 'no', '--maxmemory-policy', 'noeviction', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0',
    ...extra,
  ]);
  await waitUntil(`redis-server on ${port} answers PING`, async () => p.alive() && (await redisCli(port, 'ping')) === 'PONG', 10_000, p.log);
  return p;
}

export type SentinelTopology = {
  /** REDIS_URL for the service: redis+sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/<name>[/db]. */
  url: (db?: number) => string;
  masterName: string;
  servers: RedisProcess[];
  sentinels: RedisProcess[];
  /** The port the sentinels name as primary now. */
  primaryPort(): Promise<number>;
  /** Waits until the sentinels name a primary other than `oldPort` and it accepts writes. */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  destroy(): Promise<void>;
};

/** A primary, one replica and three sentinels (quorum 2), failing over within a few seconds. */
export async function startSentinelTopology(opts: { masterName?: string; downAfterMs?: number } = {}): Promise<SentinelTopology> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'redis-sentinel-'));
  const masterName = opts.masterName ?? 'reminders-primary';
  const taken = new Set<number>();
  const procs: RedisProcess[] = [];
  const destroy = async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const primary = await startServer(root, await freePort(taken), []);
    procs.push(primary);
    const replica = await startServer(root, await freePort(taken), ['--replicaof', '127.0.0.1', String(primary.port)]);
    procs.push(replica);
    await waitUntil('replica in sync', async () => /master_link_status:up/.test(await redisCli(replica.port, 'info', 'replication')), 10_000, replica.log);
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort(taken);
      const dir = path.join(root, `sentinel-${port}`);
      mkdirSync(dir);
      // The sentinel rewrites its own config file (that is how it remembers the topology).
      const conf = path.join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${masterName} ${opts.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${masterName} 10000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      const s = spawnRedis(dir, port, [conf, '--sentinel']);
      procs.push(s);
      sentinels.push(s);
    }
    for (const s of sentinels) {
      await waitUntil(`sentinel ${s.port} sees the replica and the other sentinels`, async () => {
        const info = await redisCli(s.port, 'info', 'sentinel');
        return new RegExp(`name=${masterName},status=ok,address=127.0.0.1:${primary.port},slaves=1,sentinels=3`).test(info);
      }, 15_000, s.log);
    }
    const primaryPort = async () => {
      for (const s of sentinels.filter((x) => x.alive())) {
        const out = await redisCli(s.port, 'sentinel', 'get-master-addr-by-name', masterName).catch(() => '');
        const port = Number(out.split('\n')[1]);
        if (port) return port;
      }
      throw new Error('no sentinel answers');
    };
    return {
      url: (db) => `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${masterName}${db === undefined ? '' : `/${db}`}`,
      masterName,
      servers: [primary, replica],
      sentinels,
      primaryPort,
      async waitForFailover(oldPort, timeoutMs = 20_000) {
        let port = oldPort;
        await waitUntil(`sentinels fail over from ${oldPort}`, async () => {
          port = await primaryPort();
          return port !== oldPort && /role:master/.test(await redisCli(port, 'info', 'replication'));
        }, timeoutMs, () => sentinels.map((s) => s.log()).join('\n'));
        return port;
      },
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}

export type ClusterNode = { id: string; port: number; role: 'master' | 'slave'; primaryId: string | null; failed: boolean };

export type ClusterTopology = {
  /** REDIS_URL for the service, naming `seeds` of the nodes (default: the first two). */
  url: (seeds?: number) => string;
  servers: RedisProcess[];
  nodes(): Promise<ClusterNode[]>;
  /** The primary serving the slot of `key` (a hash tag such as `{reminders}` counts alone). */
  primaryFor(key: string): Promise<ClusterNode>;
  /** The replica of primary `id` (ask before killing it: a promoted replica names no primary). */
  replicaOf(id: string): Promise<ClusterNode>;
  /** Waits until `replicaId` is a primary and every live node says cluster_state:ok. */
  waitForPromotion(replicaId: string, timeoutMs?: number): Promise<ClusterNode>;
  process(port: number): RedisProcess;
  destroy(): Promise<void>;
};

/** Three primaries, one replica each, cluster-node-timeout 1 s. */
export async function startClusterTopology(): Promise<ClusterTopology> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'redis-cluster-'));
  const taken = new Set<number>();
  const procs: RedisProcess[] = [];
  const destroy = async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) ports.push(await freePort(taken));
    const started = await Promise.all(
      ports.map((port) =>
        startServer(root, port, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000', '--cluster-replica-validity-factor', '0']),
      ),
    );
    procs.push(...started);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
    const anyAlive = () => procs.find((p) => p.alive())!;
    const nodes = async (): Promise<ClusterNode[]> =>
      (await redisCli(anyAlive().port, 'cluster', 'nodes'))
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [id, addr, flags, primaryId] = line.split(' ');
          return {
            id: id!,
            port: Number(/:(\d+)@/.exec(addr!)![1]),
            role: flags!.includes('master') ? ('master' as const) : ('slave' as const),
            primaryId: primaryId === '-' ? null : primaryId!,
            failed: /fail/.test(flags!),
          };
        });
    const clusterOk = async () => {
      for (const p of procs.filter((x) => x.alive())) if (!/cluster_state:ok/.test(await redisCli(p.port, 'cluster', 'info'))) return false;
      const ns = await nodes();
      return ns.filter((n) => n.role === 'master' && !n.failed).length === 3 && ns.filter((n) => n.role === 'slave').length >= 2;
    };
    await waitUntil('cluster state ok on every node', clusterOk, 20_000);
    return {
      url: (seeds = 2) => `redis+cluster://${ports.slice(0, seeds).map((p) => `127.0.0.1:${p}`).join(',')}`,
      servers: procs,
      nodes,
      async primaryFor(key) {
        const slot = Number(await redisCli(anyAlive().port, 'cluster', 'keyslot', key));
        const shards = await redisCli(anyAlive().port, 'cluster', 'slots');
        // CLUSTER SLOTS, flattened by redis-cli: start, end, primary ip, primary port, id, replicas...
        const lines = shards.split('\n');
        for (let i = 0; i + 3 < lines.length; i++) {
          const start = Number(lines[i]);
          const end = Number(lines[i + 1]);
          if (lines[i + 2] === '127.0.0.1' && slot >= start && slot <= end && /^\d+$/.test(lines[i]!) && /^\d+$/.test(lines[i + 1]!)) {
            const port = Number(lines[i + 3]);
            return (await nodes()).find((n) => n.port === port)!;
          }
        }
        throw new Error(`no primary serves slot ${slot}: ${shards}`);
      },
      async replicaOf(id) {
        const replica = (await nodes()).find((n) => n.primaryId === id);
        if (!replica) throw new Error(`node ${id} has no replica`);
        return replica;
      },
      async waitForPromotion(replicaId, timeoutMs = 20_000) {
        let promoted: ClusterNode | undefined;
        await waitUntil(`replica ${replicaId} takes over`, async () => {
          promoted = (await nodes()).find((n) => n.id === replicaId && n.role === 'master' && !n.failed);
          if (!promoted) return false;
          for (const p of procs.filter((x) => x.alive())) if (!/cluster_state:ok/.test(await redisCli(p.port, 'cluster', 'info'))) return false;
          return true;
        }, timeoutMs, () => procs.map((p) => p.log().slice(-400)).join('\n'));
        return promoted!;
      },
      process: (port) => procs.find((p) => p.port === port)!,
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}
