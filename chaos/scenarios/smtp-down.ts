/**
 * The SMTP server is down for a whole run (connections refused through every retry), then comes
 * back: the next run must e-mail every reminder whose e-mail failed, once; the failed run must
 * raise the failure alert and the next success the recovery alert. The coordinators' messages
 * (the digest outbox, sent on the programme tick after the run) are refused too before the relay
 * comes back: they must go out on their retry (DIGEST_RETRY_SECONDS), once each.
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
    // Keep the relay down until the outbox has been refused at least once (bounded: 10 s).
    const deadline = Date.now() + 10_000;
    let refused = 0;
    while (Date.now() < deadline && refused === 0) {
      refused = await w.retrying('refused digests', () => w.prisma.digest.count({ where: { attempts: { gte: 1 }, status: { in: ['pending', 'failed'] } } }));
      if (refused === 0) await w.sleep(100);
    }
    await w.smtp!.up();
    w.note(`run during the outage: ${run?.status ?? 'job failed'}, ${run?.remindersFailed ?? '?'} e-mails failed; ${refused} coordinator messages refused`);
    if (run?.status === 'failed' && run.remindersFailed > 0 && refused > 0) w.hit();
  },
};
