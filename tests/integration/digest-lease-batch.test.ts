/**
 * A live sender's claimed batch against its lease (found while building chaos/scenarios/digest-crash.ts):
 * the outbox claims SMTP_MAX_CONNECTIONS x 4 digests under one lease and each lane sends its
 * share one after another, each send allowed up to a third of the lease. With a slow relay the
 * later digests of a lane start after the lease has ended; another worker's tick adopts them
 * meanwhile, and both send: two copies of a digest with nobody crashed. A send must only start
 * under a lease that still is the sender's, renewed for that send.
 */
import { addDays } from '@reminders/core/domain/calendar';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startHarness, type Harness } from '../helpers/sweep-harness';
import { createMentorWithAssignments } from '../helpers/fixtures';
import { startSmtpSink } from '../helpers/smtp-sink';

const today = '2026-11-28';
const osloMorning = (d: string) => new Date(`${d}T07:00:00+01:00`);

let env: TestEnv;
let h: Harness;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

beforeEach(async () => {
  // 1.5 s per message (inside the 1.67 s socket timeout) against a 5 s lease: a lane's fourth digest
  // starts at ~4.5 s and is still in flight when the lease ends.
  smtp = await startSmtpSink({ replyDelayMs: 1_500 });
  env = await createTestEnv();
  h = await startHarness(env, {
    now: osloMorning(today).toISOString(),
    overrides: { SMTP_URL: smtp.url, APP_BASE_URL: 'https://app.example.org', PUBLIC_API_URL: 'https://reminders.example.org', EMAIL_LEASE_SECONDS: '5', SMTP_MAX_CONNECTIONS: '1' },
  });
});
afterEach(async () => {
  await h?.stop();
  await env?.destroy();
  await smtp?.close();
});

const messageIds = () => smtp.received.map((m) => /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw)?.[1]);

describe('digest outbox: a slow relay and a second sender', () => {
  it('sends every digest once although the first sender outlives the lease of its batch', async () => {
    for (const [i, name] of ['Kari Nordmann', 'Ola Hansen', 'Per Berg', 'Liv Dahl'].entries()) {
      await createMentorWithAssignments(h.prisma, { names: [name], lastContactDate: addDays(today, -14), mentorEmail: `mentor${i}@example.org` });
    }
    expect(await h.run()).toMatchObject({ status: 'succeeded' });
    // The first sender claims all four (1 lane x 4) under one 5 s lease and works through them.
    const first = h.c.services.digestOutbox.drainOnce();
    // Another worker's tick, after that lease: it adopts whatever of the batch is still pending.
    await new Promise((r) => setTimeout(r, 5_500));
    const second = h.c.services.digestOutbox.drainOnce();
    await Promise.all([first, second]);
    const ids = messageIds();
    expect(new Set(ids).size).toBe(4);
    expect(ids).toHaveLength(4);
    expect(await h.prisma.digest.count({ where: { status: 'sent' } })).toBe(4);
  }, 40_000);
});
