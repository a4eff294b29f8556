/** Starts `reminders serve-worker` as a real child process on a test's database and Redis prefix. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestEnv } from './test-env';
import { waitFor } from './wait-for';

const BIN = path.resolve(__dirname, '../../apps/cli/bin/reminders.js');

export type ChildWorker = { proc: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

export async function startChildWorker(env: TestEnv, overrides: Record<string, string>): Promise<ChildWorker> {
  const proc = spawn(process.execPath, [BIN, 'serve-worker'], {
    env: { PATH: process.env.PATH ?? '', ...env.env({ LOG_LEVEL: 'info', ...overrides }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await waitFor(`worker ${overrides.WORKER_ID ?? ''} ready`, () => {
    if (proc.exitCode !== null) throw new Error(`worker exited early: ${out}`);
    return out.includes('"worker ready"');
  }, 30_000);
  return { proc, output: () => out, exited };
}
