/**
 * SIGKILL the run holder while reminders are being dispatched and e-mailed: rows it wrote whose
 * e-mail it had not sent yet must still be e-mailed. An e-mail the killed worker had claimed but
 * not confirmed may already have reached the SMTP server: it is sent again, once, with the same
 * Message-ID (at-least-once; any other duplicate fails the iteration).
 */
import { waitForDispatching, type Scenario } from './types';

export const sigkillDispatch: Scenario = {
  name: 'sigkill-dispatch',
  title: 'SIGKILL the run holder during dispatch (SMTP on)',
  due: 300,
  smtp: true,
  workers: ['w1', 'w2'],
  fast: true,
  async inject(w) {
    await w.trigger('chaos');
    const { run, worker } = await w.holder();
    const written = await waitForDispatching(w, 0.3);
    await worker.kill('SIGKILL');
    const inDoubt = await w.noteEmailsInDoubt(worker.id);
    if (inDoubt) w.note(`${inDoubt} e-mail(s) claimed and unconfirmed at the kill`);
    const after = await w.prisma.cronExecutionLog.findUniqueOrThrow({ where: { id: run.id } });
    if (after.status === 'running' && written < w.due) w.hit();
    else w.note(`kill landed after dispatch (${written} written, status ${after.status})`);
  },
};
