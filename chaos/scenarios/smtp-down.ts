/**
 * The SMTP server is down for a whole run (connections refused through every retry), then comes
 * back: the next run must e-mail every reminder whose e-mail failed, once; the failed run must
 * raise the failure alert and the next success the recovery alert.
 */
import type { Scenario } from './types';

export const smtpDown: Scenario = {
  name: 'smtp-down',
  title: 'SMTP down for the whole run, then back',
  due: 200,
  smtp: true,
  workers: ['w1', 'w2'],
  fast: true,
  async inject(w) {
    await w.smtp!.down();
    const run = await w.waitForRun(await w.trigger('chaos'));
    await w.smtp!.up();
    w.note(`run during the outage: ${run?.status ?? 'job failed'}, ${run?.remindersFailed ?? '?'} e-mails failed`);
    if (run?.status === 'failed' && run.remindersFailed > 0) w.hit();
  },
};
