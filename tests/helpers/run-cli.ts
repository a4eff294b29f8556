/** Runs the real `reminders` CLI as a child process and collects its exit code and output. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI_BIN = path.join(ROOT, 'apps/cli/bin/reminders.js');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** `env` is the whole environment of the child (plus PATH and HOME), so nothing leaks in from the test runner. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export type CliProcess = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Starts a long-running CLI command (`start`, `serve-api`): stdout and stderr gathered together. */
export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/**
 * Stops a long-running CLI command: SIGTERM, and SIGKILL if it has not exited within `graceMs`
 * (a shutdown stuck on an unreachable Redis must not hold the test run open). Returns how it ended.
 */
export async function stopCli(p: CliProcess | undefined, graceMs = 15_000): Promise<'not running' | 'stopped' | 'killed'> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return 'not running';
  p.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const how = await Promise.race([p.exited.then(() => 'stopped' as const), late]);
  clearTimeout(timer);
  if (how === 'stopped') return how;
  p.child.kill('SIGKILL');
  await p.exited;
  return 'killed';
}
