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
import { waitFor } from '../helpers/wait-for';
import { createLazyUnsubscribeLinks } from '@reminders/core/auth/unsubscribe-link';
import type { EmailMessage } from '@reminders/core/channels/email-channel';
import { createDigestRepository } from '@reminders/core/repositories/digest-repository';
import { createDigestOutbox } from '@reminders/core/services/digest-outbox';

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

describe('digest outbox lanes', () => {
  it('keep sending while one message hangs: no lane waits for the slowest send of a claim', async () => {
    for (let i = 0; i < 12; i++) await createMentorWithAssignments(h.prisma, { names: [`Contact${i} Surname`], lastContactDate: addDays(today, -14), mentorEmail: `mentor${i}@example.org` });
    expect(await h.run()).toMatchObject({ status: 'succeeded' });
    // An e-mail channel whose first message hangs until released; every other send returns at once.
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const sent: string[] = [];
    let calls = 0;
    const email = {
      send: async (m: EmailMessage) => {
        if (calls++ === 0) await hung;
        sent.push(m.messageId!);
      },
      close: () => undefined,
    };
    const c = h.c.config;
    const outbox = createDigestOutbox({
      digests: createDigestRepository(h.prisma),
      email,
      links: { appBaseUrl: c.links.appBaseUrl, unsubscribe: createLazyUnsubscribeLinks(h.prisma, { publicApiUrl: c.links.publicApiUrl, ttlDays: 90, clock: h.clock }) },
      clock: h.clock,
      logger: h.c.logger,
      owner: 'lanes-test',
      leaseSeconds: 300,
      maxAttempts: 3,
      // Two lanes claim 2 x 4 = 8 at a time: 12 digests need a second claim.
      concurrency: 2,
    });
    const drain = outbox.drainOnce();
    // With a barrier per claim the other lane would stop after the first claim's 7 others; here
    // it goes on through the second claim while the first message still hangs.
    await waitFor('the other lane to send the other 11', () => sent.length === 11, 10_000, 5);
    // Their marks share statements (micro-batched): all 11 recorded while the first still hangs.
    await waitFor('11 sent marks', async () => (await h.prisma.digest.count({ where: { status: 'sent' } })) === 11, 10_000, 20);
    expect(sent).toHaveLength(11);
    release();
    expect(await drain).toMatchObject({ sent: 12, failed: 0, lostLease: 0 });
    expect(new Set(sent).size).toBe(12);
  });
});

