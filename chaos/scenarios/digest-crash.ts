/**
 * Digest delivery (issue 16) under crashes: a run writes reminders for mentors with several due
 * assignments each (and escalations for the coordinators); once it has ended, every worker's
 * programme tick assembles the digests and sends them through a relay that takes 20-50 ms to
 * answer. While they are being sent, a worker with a message in flight (the relay has its data
 * and has not answered yet) is SIGKILLed, twice, each replaced by a fresh worker. The leases
 * (EMAIL_LEASE_SECONDS 5) let the others adopt what the victims had claimed.
 *
 * Checked (digest-invariants.ts): no reminder left out of every digest, each sent digest lists
 * exactly the reminders linked to it, none listed twice, one copy per Message-ID except the
 * victim's accepted-but-unmarked messages (at most SMTP_MAX_CONNECTIONS per kill), re-sent once
 * with the same Message-ID; plus every promise the other scenarios keep (run counts = rows, ...).
 */
import type { WorkerHandle, World } from '../lib/world';
import type { Scenario } from './types';

const KILLS = 2;
/** Digests sent before the first kill, and between kills (so each lands in the middle of the sending). */
const SENT_BEFORE_FIRST = 4;
const SENT_BETWEEN = 8;

type Leased = { key: string; owner: string };

const leasedNow = (w: World) =>
  w.retrying('leased digests', () =>
    w.prisma.$queryRaw<Leased[]>`SELECT digest_key AS key, lease_owner AS owner FROM digests WHERE status = 'pending' AND lease_until > clock_timestamp()`,
  );
const sentDigests = async (w: World) => (await w.retrying('sent digests', () => w.prisma.digest.count({ where: { status: 'sent' } })));
const unfinished = async (w: World) => {
  const [r] = await w.retrying('unfinished digests', () =>
    w.prisma.$queryRaw<{ pending: number; waiting: number }[]>`
      SELECT (SELECT count(*) FROM digests WHERE status = 'pending')::int AS pending,
             (SELECT count(*) FROM reminders WHERE email_status = 'digest' OR coordinator_email_status = 'digest')::int AS waiting`,
  );
  return r ?? { pending: 0, waiting: 0 };
};

/**
 * Waits for a live worker that holds a digest whose message the relay has received and not yet
 * answered (mid-send), and returns it; null when the sending ends first.
 */
async function victimMidSend(w: World, timeoutMs: number): Promise<WorkerHandle | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const leased = await leasedNow(w);
    const inFlight = leased.filter((l) => w.smtp!.awaitingReply.has(`<${l.key}@follow-up-reminders>`));
    for (const l of inFlight) {
      const h = w.workers.get(l.owner);
      if (h?.alive()) return h;
    }
    const left = await unfinished(w);
    if (left.pending === 0 && left.waiting === 0 && leased.length === 0) return null;
    await w.sleep(3);
  }
  return null;
}

export const digestCrash: Scenario = {
  name: 'digest-crash',
  title: 'SIGKILL digest senders mid-send, twice (digest delivery, relay 20-50 ms)',
  due: 800,
  smtp: true,
  smtpAcceptDelayMs: 20,
  smtpAcceptDelayMaxMs: 50,
  delivery: 'digest',
  vars: {
    APP_BASE_URL: 'https://app.example.org',
    // The outbox sends min(SMTP_MAX_CONNECTIONS, DISPATCH_CONCURRENCY) at a time: 2, the window's bound per kill.
    SMTP_MAX_CONNECTIONS: '2',
    DISPATCH_CONCURRENCY: '2',
    EMAIL_LEASE_SECONDS: '5',
    PROGRAMME_TICK_SECONDS: '1',
  },
  workers: ['w1', 'w2', 'w3'],
  // The longest scenario (~16 s, three workers, two kills): in `npm run chaos` only, which keeps
  // `bash .ci/run` inside its 15 minutes. npm test keeps the outbox's lease and lane behaviour in
  // tests/integration/digest-lease-batch.test.ts and its retries in smtp-down.
  fast: false,
  async inject(w) {
    const run = await w.waitForRun(await w.trigger('chaos'));
    if (run?.status !== 'succeeded') w.note(`the run ended ${run?.status ?? 'without a row'}`);
    const restarts: Promise<unknown>[] = [];
    let sentAtLastKill = 0;
    for (let k = 1; k <= KILLS; k++) {
      const wanted = k === 1 ? SENT_BEFORE_FIRST : sentAtLastKill + SENT_BETWEEN;
      await w.waitFor(`${wanted} digests sent`, async () => (await sentDigests(w)) >= wanted || (await unfinished(w)).pending === 0, 60_000, 5).catch(() => undefined);
      const victim = await victimMidSend(w, 15_000);
      if (!victim) {
        w.note(`kill ${k}: the digests were all sent before a sender could be caught mid-send`);
        break;
      }
      await victim.kill('SIGKILL');
      const at = Date.now();
      // Let the relay take in what was on the wire, and any statement already at the server commit.
      await w.sleep(300);
      const held = (await leasedNow(w)).filter((l) => l.owner === victim.id).map((l) => `<${l.key}@follow-up-reminders>`);
      const acceptedUnmarked = held.filter((id) => w.smtp!.byMessageId.has(id));
      w.digestKills.push({ worker: victim.id, at, inDoubt: held, acceptedUnmarked });
      sentAtLastKill = await sentDigests(w);
      w.note(`kill ${k}: ${victim.id} with ${held.length} claimed, ${acceptedUnmarked.length} of them accepted by the relay (${sentAtLastKill} sent so far)`);
      restarts.push(w.startWorker(`r${k}`));
    }
    await Promise.all(restarts);
    // The victims' leases end after EMAIL_LEASE_SECONDS; the others adopt and finish.
    await w
      .waitFor('every digest sent', async () => {
        const left = await unfinished(w);
        return left.pending === 0 && left.waiting === 0;
      }, 60_000, 200)
      .catch((err: Error) => w.note(err.message));
    if (w.digestKills.some((k) => k.acceptedUnmarked.length > 0)) w.hit();
    else w.note('no kill landed while the victim had a message accepted and unmarked');
  },
};
