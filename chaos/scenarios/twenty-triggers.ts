/** 20 triggers at once, spread over three worker processes: one run does the work, once. */
import type { Scenario } from './types';

export const twentyTriggers: Scenario = {
  name: 'twenty-triggers',
  title: '20 simultaneous triggers over 3 workers',
  due: 300,
  workers: ['w1', 'w2', 'w3'],
  async inject(w) {
    const jobIds = await Promise.all(Array.from({ length: 20 }, (_, i) => w.trigger(`op-${i}`)));
    const runs = await Promise.all(jobIds.map((id) => w.waitForRun(id)));
    const statuses = runs.map((r) => r?.status ?? 'job-failed');
    const working = runs.filter((r) => (r?.remindersEnqueued ?? 0) > 0);
    const enqueued = working.reduce((n, r) => n + r!.remindersEnqueued, 0);
    const tally = Object.entries(statuses.reduce<Record<string, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {}));
    w.note(`statuses ${tally.map(([s, n]) => `${s}×${n}`).join(', ')}`);
    if (working.length !== 1 || enqueued !== w.due) w.violation(`${working.length} runs enqueued work (${enqueued} jobs for ${w.due} due reminders); expected one run enqueuing each once`);
    if (statuses.includes('job-failed')) w.violation('a trigger\'s sweep job failed');
    w.hit();
  },
};
