/**
 * Retention of bulk registrations' Idempotency-Keys (IDEMPOTENCY_KEY_RETENTION_HOURS, 24 here):
 * the watchdog deletes expired rows in batches and keeps fresh ones, and a key reused after it
 * expired is a new request through the real route, whether or not the purge has run yet.
 * The injected clock stands in for the day that passes.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createAssignment } from '../helpers/fixtures';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { captureLogs } from '../helpers/log-capture';

const NOW = '2026-11-28T06:00:00Z';
const HOUR = 3600_000;

let env: TestEnv;
let api: ApiHarness;
const { lines: logLines, sink: logSink } = captureLogs();

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: NOW, logTo: logSink, overrides: { IDEMPOTENCY_KEY_RETENTION_HOURS: '24' } });
});
afterAll(async () => {
  await api?.close();
  await env?.destroy();
});

beforeEach(async () => {
  api.clock.set(NOW);
  await api.prisma.apiIdempotencyKey.deleteMany();
});

const keys = async () => (await api.prisma.apiIdempotencyKey.findMany({ orderBy: { idempotencyKey: 'asc' } })).map((k) => k.idempotencyKey);

/** Stored keys created `hoursAgo` before the clock, written as the repository writes them. */
async function storedKeys(prefix: string, n: number, hoursAgo: number) {
  const createdAt = new Date(api.clock.now().getTime() - hoursAgo * HOUR);
  await api.prisma.apiIdempotencyKey.createMany({
    data: Array.from({ length: n }, (_, i) => ({ tokenName: 'test-service', idempotencyKey: `${prefix}-${String(i).padStart(2, '0')}`, requestHash: 'h', response: {}, createdAt })),
  });
}

/** Two activities without client_id, so a request processed anew registers them again. */
async function bulkPayload() {
  const ids = [];
  for (let i = 0; i < 2; i++) ids.push((await createAssignment(api.prisma, { assignedDate: '2026-09-01', lastContactDate: '2026-11-01' })).assignmentId);
  return { items: ids.map((id) => ({ assignment_id: id, activity_type: 'call', occurred_at: '2026-11-27T10:00:00Z', registered_by: 'importer' })) };
}

const bulk = (key: string, payload: Awaited<ReturnType<typeof bulkPayload>>) => api.call({ method: 'POST', url: '/v1/activities/bulk', as: 'service', headers: { 'idempotency-key': key }, payload });
const activityCount = () => api.prisma.activity.count();

describe('the purge', () => {
  it('deletes every key older than the retention, batch after batch, and keeps the fresh ones', async () => {
    await storedKeys('old', 12, 25);
    await storedKeys('edge', 1, 24); // exactly at the retention: still remembered
    await storedKeys('fresh', 2, 1);
    const cutoff = new Date(api.clock.now().getTime() - 24 * HOUR);
    expect(await api.c.repositories.idempotencyKeys.purgeExpired(cutoff, 5)).toBe(12); // 5 + 5 + 2
    expect(await keys()).toEqual(['edge-00', 'fresh-00', 'fresh-01']);
    expect(await api.c.repositories.idempotencyKeys.purgeExpired(cutoff, 5)).toBe(0);
  });

  it('runs on every watchdog tick, by the injected clock, and logs what it deleted', async () => {
    const payload = await bulkPayload();
    expect((await bulk('nightly-import', payload)).statusCode).toBe(200);

    api.clock.advance(24 * HOUR);
    await storedKeys('other', 3, 10);
    expect((await api.c.services.watchdog.tick()).idempotencyKeysPurged).toBe(0);
    expect(await keys()).toEqual(['nightly-import', 'other-00', 'other-01', 'other-02']);

    api.clock.advance(1000);
    logLines.length = 0;
    expect((await api.c.services.watchdog.tick()).idempotencyKeysPurged).toBe(1);
    expect(await keys()).toEqual(['other-00', 'other-01', 'other-02']);
    const logged = logLines
      .flatMap((chunk) => chunk.split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { msg: string })
      .filter((l) => l.msg === 'expired idempotency keys purged');
    expect(logged).toMatchObject([{ purged: 1, retentionHours: 24 }]);
  });
});

describe('a key reused after it expired', () => {
  it('is processed anew even before the purge has deleted it, and is then remembered again', async () => {
    const payload = await bulkPayload();
    const before = await activityCount();
    const first = await bulk('weekly-import', payload);
    expect(first.json()).toMatchObject({ replayed: false, summary: { created: 2 } });

    api.clock.advance(24 * HOUR); // the last moment it is remembered
    const retry = await bulk('weekly-import', payload);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual({ ...first.json(), replayed: true });
    expect(await activityCount()).toBe(before + 2);

    api.clock.advance(1000); // expired; no watchdog tick has run, so the row is still there
    expect(await keys()).toEqual(['weekly-import']);
    const anew = await bulk('weekly-import', payload);
    expect(anew.statusCode).toBe(200);
    expect(anew.headers['idempotent-replayed']).toBeUndefined();
    expect(anew.json()).toMatchObject({ replayed: false, summary: { created: 2 } });
    expect(anew.json().items.map((i: { activity_id: number }) => i.activity_id)).not.toEqual(first.json().items.map((i: { activity_id: number }) => i.activity_id));
    expect(await activityCount()).toBe(before + 4);

    // The new answer is the one remembered from now on, for another full retention.
    const stored = await api.prisma.apiIdempotencyKey.findFirstOrThrow({ where: { idempotencyKey: 'weekly-import' } });
    expect(stored.createdAt.toISOString()).toBe(api.clock.now().toISOString());
    const again = await bulk('weekly-import', payload);
    expect(again.json()).toEqual({ ...anew.json(), replayed: true });
    expect(await activityCount()).toBe(before + 4);
  });

  it('may carry another body once expired, where a live key is refused with 422', async () => {
    const payload = await bulkPayload();
    const other = await bulkPayload();
    expect((await bulk('reused-key', payload)).statusCode).toBe(200);
    expect((await bulk('reused-key', other)).statusCode).toBe(422);

    api.clock.advance(25 * HOUR);
    expect((await api.c.services.watchdog.tick()).idempotencyKeysPurged).toBe(1);
    const res = await bulk('reused-key', other);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ replayed: false, summary: { created: 2 } });
  });
});
