/** `reminders lock status` / `reminders lock release`: inspect or clear the sweep lock. */
import type { Command } from 'commander';
import { usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withOps } from '../composition';

export function lockCommand(program: Command): void {
  const lock = program.command('lock').description('the sweep lock (redlock in Redis)');
  usageErrorsExit2(lock.command('status').description('who holds the lock and for how long').option('--json', 'print JSON')).action(async (o: { json?: boolean }) => {
    await withOps(async (c) => {
      const s = await c.ops.lockStatus();
      if (o.json) return printJson({ key: c.sweepLock.key, ...s });
      process.stdout.write(
        s.held
          ? `lock ${c.sweepLock.key} held by ${s.holder?.workerId ?? 'unknown'}${s.holder?.runId ? ` for run ${s.holder.runId}` : ''} since ${s.holder?.since ?? '?'}; ${s.ttlMs} ms left\n`
          : `lock ${c.sweepLock.key} is free\n`,
      );
    });
  });
  usageErrorsExit2(
    lock
      .command('release')
      .description("release a stuck lock; refused while the holder's run is alive unless --force")
      .option('--force', 'release even though the holder looks alive')
      .option('--reason <text>', 'why (kept in the audit log)')
      .option('--actor <name>', 'who is doing this (default: cli:<os user>)')
      .option('--json', 'print JSON'),
  ).action(async (o: { force?: boolean; reason?: string; actor?: string; json?: boolean }) => {
    await withOps(async (c) => {
      const r = await c.ops.releaseLock({ by: o.actor ?? defaultActor(), force: o.force, reason: o.reason });
      if (o.json) return printJson(r);
      process.stdout.write(`lock released${r.closedRun ? `; run ${r.closedRun} closed as abandoned` : ''}\n`);
    });
  });
}
