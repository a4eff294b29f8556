/**
 * Operations over HTTP: trigger (wait, confirm), preview, pause / resume, status, runs, lock,
 * alerts and /metrics, with the same service methods the CLI uses; every change audited with the
 * token's name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { createSilentAssignments } from '../helpers/fixtures';
import { METRIC_NAMES, createServiceMetrics } from '@reminders/api/metrics/service-metrics';

let env: TestEnv;
let api: ApiHarness;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: '2026-11-28T06:00:00Z', workers: true, sweepWorker: true, overrides: { BLAST_RADIUS_FLOOR: '5' } });
  await createSilentAssignments(api.prisma, 12, '2026-11-01');
});

afterAll(async () => {
  await api?.close();
  await env.destroy();
});

it('preview lists who would be reminded and writes nothing', async () => {
  const r = await api.call({ method: 'GET', url: '/v1/sweep/preview?limit=2', as: 'viewer' });
  expect(r.statusCode).toBe(200);
  expect(r.json()).toMatchObject({ today: '2026-11-28', due: 12, shown: 2 });
  expect(r.json().reminders[0]).toEqual({ assignment_id: 1, anchor_date: '2026-11-01', sequence_number: 2, due_date: '2026-11-22', escalated: false });
  expect(await api.prisma.cronExecutionLog.count()).toBe(0);
});

it('trigger with wait_seconds answers with the final execution-log row', async () => {
  const r = await api.call({ method: 'POST', url: '/v1/sweep/trigger', payload: { wait_seconds: 30 }, as: 'operator' });
  expect(r.statusCode).toBe(200);
  expect(r.json().run).toMatchObject({ status: 'succeeded', trigger: 'manual', triggered_by: 'test-operator', reminders_sent: 12 });
  const audit = await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'sweep.trigger' } });
  expect(audit.actor).toBe('test-operator');
});

it('trigger without waiting answers 202 with the job id', async () => {
  const r = await api.call({ method: 'POST', url: '/v1/sweep/trigger', payload: {}, as: 'admin' });
  expect(r.statusCode).toBe(202);
  expect(r.json().job_id).toMatch(/^sweep-request-\d+$/);
  // The worker runs it (nothing new is due): wait for it so later tests start from a quiet queue.
  const run = await api.c.services.ops.waitForRun(r.json().job_id, 30_000);
  expect(run).toMatchObject({ status: 'succeeded', remindersSent: 0, triggeredBy: 'test-admin' });
});

it('pause, status, resume; 409 when resuming twice; bad bodies are 400 problem+json', async () => {
  const p = await api.call({ method: 'POST', url: '/v1/sweep/pause', payload: { reason: 'data import', until: '2026-11-28T09:00:00Z' }, as: 'operator' });
  expect(p.statusCode).toBe(200);
  expect(p.json()).toMatchObject({ enabled: false, pause_reason: 'data import', paused_by: 'test-operator', paused_until: '2026-11-28T09:00:00.000Z' });
  const st = await api.call({ method: 'GET', url: '/v1/sweep/status', as: 'viewer' });
  expect(st.json()).toMatchObject({ enabled: false, pause: { reason: 'data import', by: 'test-operator' }, consecutive_failures: 0, lock: { held: false } });
  expect(st.json().last_runs[0]).toMatchObject({ status: 'succeeded' });
  expect((await api.call({ method: 'POST', url: '/v1/sweep/resume', as: 'operator' })).statusCode).toBe(200);
  const again = await api.call({ method: 'POST', url: '/v1/sweep/resume', as: 'operator' });
  expect(again.statusCode).toBe(409);
  expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(again.json()).toMatchObject({ status: 409, detail: 'the sweep is not paused' });
  for (const payload of [{}, { reason: '' }, { reason: 'x', until: 'tomorrow' }, { reason: 'x', extra: 1 }]) {
    const bad = await api.call({ method: 'POST', url: '/v1/sweep/pause', payload, as: 'operator' });
    expect(bad.statusCode).toBe(400);
  }
  const past = await api.call({ method: 'POST', url: '/v1/sweep/pause', payload: { reason: 'x', until: '2020-01-01T00:00:00Z' }, as: 'operator' });
  expect(past.statusCode).toBe(400);
  expect(past.json().detail).toMatch(/is not in the future/);
  expect((await api.prisma.sweepState.findFirstOrThrow()).enabled).toBe(true);
});

it('runs, one run, and 404 for an unknown run', async () => {
  const list = await api.call({ method: 'GET', url: '/v1/runs?limit=5&status=succeeded', as: 'viewer' });
  expect(list.statusCode).toBe(200);
  const runs = list.json() as Array<{ id: number; status: string; fencing_token: string }>;
  expect(runs.map((x) => x.fencing_token)).toEqual(['2', '1']); // newest first
  const run = runs[1]!;
  expect(run).toMatchObject({ status: 'succeeded', reminders_enqueued: 12 });
  expect((await api.call({ method: 'GET', url: `/v1/runs/${run.id}`, as: 'viewer' })).json().id).toBe(run.id);
  expect((await api.call({ method: 'GET', url: '/v1/runs/999999', as: 'viewer' })).statusCode).toBe(404);
  expect((await api.call({ method: 'GET', url: '/v1/runs?status=exploded', as: 'viewer' })).statusCode).toBe(400);
});

it('a held run: confirm through trigger, cancel through /runs/:id/cancel', async () => {
  // History of small runs, then a jump: the guard holds. (Runs that sent nothing are no history:
  // the guard needs 3 runs that enqueued something.)
  await createSilentAssignments(api.prisma, 2, '2026-10-01');
  const held = await api.c.services.sweepRun.run({ trigger: 'scheduled' });
  expect(held.status).toBe('succeeded');
  await createSilentAssignments(api.prisma, 2, '2026-10-01');
  expect((await api.c.services.sweepRun.run({ trigger: 'scheduled' })).status).toBe('succeeded');
  await createSilentAssignments(api.prisma, 40, '2026-10-01');
  const r = await api.c.services.sweepRun.run({ trigger: 'scheduled' });
  expect(r.status).toBe('awaiting_confirmation');
  const cancel = await api.call({ method: 'POST', url: `/v1/runs/${r.runId}/cancel`, payload: { reason: 'bad import' }, as: 'operator' });
  expect(cancel.statusCode).toBe(200);
  expect(cancel.json()).toMatchObject({ status: 'cancelled', resolved_by: 'test-operator' });
  const confirm = await api.call({ method: 'POST', url: '/v1/sweep/trigger', payload: { confirm_run_id: r.runId }, as: 'operator' });
  expect(confirm.statusCode).toBe(409);
  expect((await api.call({ method: 'POST', url: '/v1/sweep/trigger', payload: { confirm_run_id: 777777 }, as: 'operator' })).statusCode).toBe(404);
});

it('lock status and release', async () => {
  const st = await api.call({ method: 'GET', url: '/v1/sweep/lock', as: 'viewer' });
  expect(st.json()).toMatchObject({ held: false, key: `${env.redisPrefix}:lock:reminder-sweep` });
  const rel = await api.call({ method: 'POST', url: '/v1/sweep/lock/release', payload: {}, as: 'admin' });
  expect(rel.statusCode).toBe(409);
  // A lock left by a dead worker (no live run): released, audited.
  await api.c.redis.set(`${env.redisPrefix}:lock:reminder-sweep`, 'dead-worker', 'PX', 60_000);
  const ok = await api.call({ method: 'POST', url: '/v1/sweep/lock/release', payload: { reason: 'worker vm died' }, as: 'admin' });
  expect(ok.statusCode).toBe(200);
  expect(ok.json()).toMatchObject({ released: true, holder_was_alive: false });
  expect((await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'lock.release' } })).reason).toBe('worker vm died');
});

it('alerts lists what was raised', async () => {
  const r = await api.call({ method: 'GET', url: '/v1/alerts', as: 'viewer' });
  expect(r.statusCode).toBe(200);
  expect(r.json().map((a: { kind: string }) => a.kind)).toContain('blast_radius');
});

describe('/metrics', () => {
  it('needs a token with read access and exposes every documented metric', async () => {
    expect((await api.call({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await api.call({ method: 'GET', url: '/metrics', as: 'service' })).statusCode).toBe(403);
    const r = await api.call({ method: 'GET', url: '/metrics', as: 'viewer' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/plain/);
    const exposed = new Set([...r.body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    for (const name of METRIC_NAMES) expect(exposed).toContain(name);
    expect(r.body).toMatch(/^reminders_runs_total\{programme="default",status="succeeded"\} [1-9]/m);
    expect(r.body).toMatch(/^reminders_reminders_total\{programme="default",outcome="sent"\} 16$/m); // 12, then the 2 + 2 of the held-run history
    expect(r.body).toMatch(/^reminders_queue_jobs\{queue="reminder-dispatch",state="completed"\} \d+/m);
    expect(r.body).toMatch(/^bullmq_job_count\{queue="reminder-dispatch", state="completed", service="reminders"\} \d+/m);
    // One header per metric family, even with two queues (Prometheus refuses duplicates).
    expect(r.body.match(/^# TYPE bullmq_job_count /gm)).toHaveLength(1);
    expect(r.body.match(/^bullmq_job_count\{queue="reminder-sweep"/gm)!.length).toBeGreaterThan(0);

    // The Prometheus rules and the Grafana dashboard only use metrics that really exist.
    const root = path.resolve(__dirname, '../..');
    const rules = parse(readFileSync(path.join(root, 'docs/monitoring/prometheus-rules.yml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    const dashboard = JSON.parse(readFileSync(path.join(root, 'docs/monitoring/grafana-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = [...rules.groups.flatMap((g) => g.rules.map((x) => x.expr)), ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))];
    const used = new Set(exprs.flatMap((e) => e.match(/\breminders_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(exposed).toContain(name);
  });

  it('labels every per-run metric with its programme; beyond METRICS_PROGRAMME_LABEL_MAX the rest are summed under other', async () => {
    const east = await api.c.services.programmes.create({ slug: 'east', name: 'East' }, 'test');
    const run = (status: 'succeeded' | 'skipped_locked' | 'running', extra: { durationMs?: number; remindersSent?: number } = {}) =>
      api.prisma.cronExecutionLog.create({ data: { jobName: 'reminder-sweep:east', programmeId: east.id, trigger: 'scheduled', status, workerId: 'w', ...extra } });
    await run('succeeded', { durationMs: 4_000, remindersSent: 7 });
    await run('skipped_locked');
    await run('running');
    const lastSuccess = new Date('2026-11-28T05:00:00Z');
    await api.prisma.sweepState.update({ where: { programmeId: east.id }, data: { consecutiveFailures: 2, lastSuccessAt: lastSuccess, enabled: false } });

    const body = (await api.call({ method: 'GET', url: '/metrics', as: 'viewer' })).body;
    // Each programme has its own series; default's are what they were before.
    expect(body).toMatch(/^reminders_runs_total\{programme="east",status="succeeded"\} 1$/m);
    expect(body).toMatch(/^reminders_runs_total\{programme="east",status="failed"\} 0$/m);
    expect(body).toMatch(/^reminders_runs_total\{programme="default",status="succeeded"\} [1-9]/m);
    expect(body).toMatch(/^reminders_reminders_total\{programme="east",outcome="sent"\} 7$/m);
    expect(body).toMatch(/^reminders_reminders_total\{programme="default",outcome="sent"\} 16$/m);
    expect(body).toMatch(/^reminders_lock_contention_total\{programme="east"\} 1$/m);
    expect(body).toMatch(/^reminders_run_in_progress\{programme="east"\} 1$/m);
    expect(body).toMatch(/^reminders_run_in_progress\{programme="default"\} 0$/m);
    expect(body).toMatch(/^reminders_consecutive_failures\{programme="east"\} 2$/m);
    expect(body).toMatch(/^reminders_consecutive_failures\{programme="default"\} 0$/m);
    expect(body).toMatch(/^reminders_sweep_enabled\{programme="east"\} 0$/m);
    expect(body).toMatch(/^reminders_sweep_enabled\{programme="default"\} 1$/m);
    expect(body).toContain(`reminders_last_success_timestamp_seconds{programme="east"} ${lastSuccess.getTime() / 1000}\n`);
    expect(body).toMatch(/^reminders_run_duration_seconds_bucket\{le="5",programme="east"\} 1$/m);
    expect(body).toMatch(/^reminders_run_duration_seconds_count\{programme="east"\} 1$/m);
    expect(body).not.toContain('programme="other"');

    // Cap 1: default (lowest id) keeps its label, east is reported as other.
    const capped = await createServiceMetrics({ ...api.c, config: { ...api.c.config, metricsProgrammeLabelMax: 1 } }).text();
    expect(capped).not.toContain('programme="east"');
    expect(capped).toMatch(/^reminders_runs_total\{programme="other",status="succeeded"\} 1$/m);
    expect(capped).toMatch(/^reminders_reminders_total\{programme="other",outcome="sent"\} 7$/m);
    expect(capped).toMatch(/^reminders_reminders_total\{programme="default",outcome="sent"\} 16$/m);
    expect(capped).toMatch(/^reminders_consecutive_failures\{programme="other"\} 2$/m);
    expect(capped).toMatch(/^reminders_run_duration_seconds_count\{programme="other"\} 1$/m);
  });
});
