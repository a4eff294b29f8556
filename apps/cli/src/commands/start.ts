/**
 * `reminders start` migrates the database (creating it if needed), checks Redis, then runs the
 * API and the worker as two child processes, restarting one that dies (and saying which and why);
 * SIGINT / SIGTERM are passed on and it exits when both have stopped. `serve-api` / `serve-worker` run one of them alone (as docker-compose does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '@reminders/core/config';
import { ensureDatabase, maintenanceUrl } from '@reminders/core/db/database-url';
import { migrate } from '@reminders/core/db/migrator';
import { checkPostgres, checkRedis } from '@reminders/core/preflight';
import { useBaselineWasmCompiler, workerHeapFlags } from '@reminders/core/worker-heap';

/** The script this process runs (bin/reminders.js, or dist/reminders.js in the compiled build): the children run the same. */
const self = () => process.argv[1] ?? path.resolve(__dirname, '../../bin/reminders.js');

/** A child's node arguments: this process's, and for the worker its heap caps (worker-heap.ts) unless already given. */
const nodeArgs = (command: string) => [...process.execArgv, ...(command === 'serve-worker' ? workerHeapFlags(process.execArgv, process.env.NODE_OPTIONS) : [])];

export function startCommand(program: Command): void {
  program
    .command('start')
    .description('migrate the database, then run the API and the worker until SIGINT / SIGTERM')
    .option('--no-migrate', 'do not apply migrations first')
    .action(async (opts: { migrate: boolean }) => {
      const config = loadConfig();
      await checkPostgres(config.databaseUrl, maintenanceUrl(config.databaseUrl));
      await checkRedis(config);
      if (opts.migrate) {
        await ensureDatabase(config.databaseUrl);
        const r = await migrate(config.databaseUrl);
        if (r.applied.length) process.stdout.write(`applied migrations: ${r.applied.join(', ')}\n`);
      }
      await superviseChildren(['serve-api', 'serve-worker']);
    });
}

/** Restarts allowed per child in RESTART_WINDOW_MS before `start` gives up and stops everything. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 10 * 60_000;
const RESTART_DELAY_MS = 1_000;

const describeExit = (code: number | null, signal: NodeJS.Signals | null) => (signal ? `killed by ${signal}` : `exit code ${code}`);

/**
 * Runs each command as a child process and keeps it running: a child that dies (a worker killed
 * mid-run, an API that crashed) is named on stderr with its exit code or signal and restarted
 * after a second, while the other keeps serving. A restart is safe: Postgres guards every write,
 * a run the dead worker left `running` is closed by the next run (or the watchdog), and its jobs
 * are picked up again. More than MAX_RESTARTS deaths of one child within RESTART_WINDOW_MS means
 * something is wrong beyond one crash: then everything is stopped and `start` exits non-zero.
 */
async function superviseChildren(commands: string[]): Promise<void> {
  let stopping = false;
  let worst = 0;
  const live = new Map<string, ChildProcess>();
  const say = (line: string) => process.stderr.write(`reminders start: ${line}\n`);
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of live.values()) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const run = (command: string) =>
    new Promise<void>((resolve) => {
      const deaths: number[] = [];
      const launch = () => {
        const child = spawn(process.execPath, [...nodeArgs(command), self(), command], { stdio: 'inherit' });
        live.set(command, child);
        child.on('exit', (code, signal) => {
          if (stopping) {
            if (code) worst = Math.max(worst, code);
            return resolve();
          }
          const now = Date.now();
          deaths.push(now);
          while (deaths.length && deaths[0]! < now - RESTART_WINDOW_MS) deaths.shift();
          if (deaths.length > MAX_RESTARTS) {
            say(`${command} (pid ${child.pid}) died again (${describeExit(code, signal)}): ${deaths.length} times in ${RESTART_WINDOW_MS / 60_000} minutes; stopping everything`);
            worst = Math.max(worst, code || 1);
            stop('SIGTERM');
            return resolve();
          }
          say(`${command} (pid ${child.pid}) died (${describeExit(code, signal)}); restarting it in ${RESTART_DELAY_MS / 1000} s (restart ${deaths.length} of at most ${MAX_RESTARTS} in ${RESTART_WINDOW_MS / 60_000} minutes); the others keep running`);
          setTimeout(() => (stopping ? resolve() : launch()), RESTART_DELAY_MS);
        });
      };
      launch();
    });

  await Promise.all(commands.map(run));
  if (worst !== 0) process.exitCode = worst;
}

export function serveApiCommand(program: Command): void {
  program
    .command('serve-api')
    .description('run only the HTTP API (no migrations)')
    .action(async () => {
      // Loaded lazily so other commands do not pay for Fastify / BullMQ start-up.
      const { runServer } = require('@reminders/api/server') as typeof import('@reminders/api/server');
      await runServer(loadConfig());
    });
}

export function serveWorkerCommand(program: Command): void {
  program
    .command('serve-worker')
    .description('run only the BullMQ workers (no migrations)')
    .action(async () => {
      useBaselineWasmCompiler();
      const { runWorker } = require('@reminders/worker/main') as typeof import('@reminders/worker/main');
      await runWorker(loadConfig());
    });
}
