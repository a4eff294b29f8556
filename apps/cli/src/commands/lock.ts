/** `reminders lock status` / `reminders lock release`: inspect or clear the sweep lock. */
import type { Command } from 'commander';
import { usageErrorsExit2 } from '../cli-errors';
import { defaultActor, printJson } from '../cli-output';
import { withOps } from '../composition';
import { PROGRAMME_OPTION, prefixFor, programmesIn } from '../programme-scope';

export function lockCommand(program: Command): void {
  const lock = program.command('lock').description('the sweep lock (redlock in Redis)');
  usageErrorsExit2(lock.command('status').description('who holds the lock and for how long').option(...PROGRAMME_OPTION).option('--json', 'print JSON')).action(async (o: { json?: boolean; programme?: string }) => {
    await withOps(async (c) => {
      // Each programme's sweep has its own lock; without --programme, every programme's.
      const scope = await programmesIn(c, o.programme, 'every');
      const states = [];
      for (const p of scope.programmes) states.push({ p, key: c.lockFor(p).key, s: await c.opsFor(p).lockStatus() });
      if (o.json) return printJson(states.length === 1 && !scope.named ? { key: states[0]!.key, ...states[0]!.s } : states.map((x) => ({ programme: x.p.slug, key: x.key, ...x.s })));
      for (const { p, key, s } of states) {
        process.stdout.write(
          prefixFor(scope)(p) +
            (s.held
              ? `lock ${key} held by ${s.holder?.workerId ?? 'unknown'}${s.holder?.runId ? ` for run ${s.holder.runId}` : ''} since ${s.holder?.since ?? '?'}; ${s.ttlMs} ms left\n`
              : `lock ${key} is free\n`),
        );
      }
    });
  });
  usageErrorsExit2(
    lock
      .command('release')
      .description("release a stuck lock; refused while the holder's run is alive unless --force")
      .option('--force', 'release even though the holder looks alive')
      .option('--reason <text>', 'why (kept in the audit log)')
      .option('--actor <name>', 'who is doing this (default: cli:<os user>)')
      .option(...PROGRAMME_OPTION)
      .option('--json', 'print JSON'),
  ).action(async (o: { force?: boolean; reason?: string; actor?: string; json?: boolean; programme?: string }) => {
    await withOps(async (c) => {
      const scope = await programmesIn(c, o.programme, 'one');
      const r = await c.opsFor(scope.programmes[0]!).releaseLock({ by: o.actor ?? defaultActor(), force: o.force, reason: o.reason });
      if (o.json) return printJson(r);
      process.stdout.write(`${prefixFor(scope)(scope.programmes[0]!)}lock released${r.closedRun ? `; run ${r.closedRun} closed as abandoned` : ''}\n`);
    });
  });
}
