/**
 * `reminders start` migrates the database (creating it if needed), checks Redis, then runs the
 * API and the worker as two child processes; SIGINT / SIGTERM are passed on and it exits when
 * both have stopped. `serve-api` / `serve-worker` run one of them alone (as docker-compose does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '@reminders/core/config';
import { ensureDatabase, maintenanceUrl } from '@reminders/core/db/database-url';
import { migrate } from '@reminders/core/db/migrator';
import { checkPostgres, checkRedis } from '@reminders/core/preflight';

/** The script this process runs (bin/reminders.js, or dist/reminders.js in the compiled build): the children run the same. */
const self = () => [...process.execArgv, process.argv[1] ?? path.resolve(__dirname, '../../bin/reminders.js')];

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

async function superviseChildren(commands: string[]): Promise<void> {
  const children: ChildProcess[] = commands.map((c) => spawn(process.execPath, [...self(), c], { stdio: 'inherit' }));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const codes = await Promise.all(
    children.map(
      (child) =>
        new Promise<number>((resolve) => {
          child.on('exit', (code, signal) => {
            // One process dying takes the other down: a half-running service is worse than a restart.
            stop('SIGTERM');
            resolve(code ?? (signal ? 1 : 0));
          });
        }),
    ),
  );
  const worst = Math.max(...codes);
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
      const { runWorker } = require('@reminders/worker/main') as typeof import('@reminders/worker/main');
      await runWorker(loadConfig());
    });
}
