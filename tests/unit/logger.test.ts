/** Logs never carry tokens, passwords or e-mail addresses, whether as fields or inside messages. */
import { Writable } from 'node:stream';
import { createLogger } from '@reminders/core/logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ logLevel: 'info', nodeEnv: 'production' }, { destination });
  return { logger, text: () => lines.join('') };
}

it('redacts secret fields and e-mail addresses', () => {
  const { logger, text } = capture();
  logger.info({ token: 'rmd_supersecret', req: { headers: { authorization: 'Bearer rmd_abc123', cookie: 'sid=1' } }, mentor: { email: 'mia@example.org' } }, 'created');
  logger.warn('mail to mia@example.org failed with Bearer rmd_zzz via smtp://user:hunter2@mail.example.org:587');
  logger.error({ err: new Error('connect failed for postgresql://postgres:pw@db/reminders') }, 'oops');
  const out = text();
  for (const secret of ['rmd_supersecret', 'rmd_abc123', 'sid=1', 'mia@example.org', 'rmd_zzz', 'hunter2', ':pw@']) expect(out).not.toContain(secret);
  expect(out).toContain('[redacted]');
  expect(out).toContain('[email]');
  expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ level: 30, msg: 'created' });
});
