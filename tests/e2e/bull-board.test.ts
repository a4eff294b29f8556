/**
 * Bull Board in a real browser (Debian's Chromium driven by playwright-core): the board works under
 * its CSP, carries the security headers and cannot be framed; every menu an operator sees is either
 * allowed (and audited) or refused by the server with a reason the board shows; a viewer's board is
 * read-only. The screenshots the runbook shows are written by this test (docs/runbook/img).
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Worker } from 'bullmq';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createRedis } from '@reminders/core/redis';
import { createTestEnv, TEST_REDIS_URL, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/wait-for';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IMG = path.resolve(__dirname, '../../docs/runbook/img');

let env: TestEnv;
let api: ApiHarness;
let browser: Browser;
let base: string;
let evil: http.Server;
let evilBase: string;

/**
 * Every menu item and button an operator sees on the board, and what the server does with it.
 * docs/runbook/bull-board.md has one line per entry; a new board version that shows something
 * else fails the test until it is added here and there.
 */
const BOARD_CONTROLS: Record<string, 'allowed' | 'refused' | 'read'> = {
  'overview menu: Pause all': 'refused',
  'overview menu: Retry failed jobs in all queues': 'refused',
  'overview menu: Sort by': 'read',
  'queue menu: Add job': 'refused',
  'queue menu: Retry all failed jobs': 'refused',
  'queue menu: Pause': 'allowed',
  'queue menu: Resume': 'allowed',
  'queue menu: Set concurrency': 'refused',
  'queue menu: Set rate limit': 'refused',
  'queue menu: Empty': 'refused',
  'queue menu: Obliterate': 'refused',
  'status bar: Retry all': 'refused',
  'status bar: Promote all': 'refused',
  'status bar: Clean all': 'allowed',
  'schedulers: Job template': 'read',
  'schedulers: Run now': 'refused',
  'schedulers: Edit schedule': 'refused',
  'schedulers: Remove scheduler': 'refused',
};

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: new Date().toISOString() });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  // A page on another port of the same host: same-site, not same-origin.
  evil = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><iframe id="f" src="${base}/admin/queues"></iframe>
      <script>navigator.sendBeacon('${base}/admin/queues/api/queues/reminder-sweep/add', JSON.stringify({ name: 'reminder-sweep', data: {} }));
      navigator.sendBeacon('${base}/admin/queues/api/queues/reminder-sweep/pause');</script>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  evilBase = `http://localhost:${(evil.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await seedJobs();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => evil?.close(r));
  await api?.close();
  await env?.destroy();
});

/** One job in each state the board shows (a real BullMQ worker fails / completes them), and the sweep's job scheduler. */
async function seedJobs() {
  const q = api.c.queues.dispatch;
  await q.add('reminder-dispatch', { assignmentId: 1 } as never, { jobId: 'ok-1' });
  await q.add('reminder-dispatch', { assignmentId: 2 } as never, { jobId: 'bad-1', attempts: 1 });
  const seedConnection = createRedis(TEST_REDIS_URL);
  const w = new Worker(
    q.name,
    async (job) => {
      if (job.id === 'bad-1') throw new Error('smtp relay refused the message');
      return { sent: true };
    },
    { connection: seedConnection, prefix: env.redisPrefix },
  );
  await waitFor('the seeded jobs to finish', async () => (await q.getCompletedCount()) === 1 && (await q.getFailedCount()) === 1);
  await w.close();
  seedConnection.disconnect();
  await q.add('reminder-dispatch', { assignmentId: 3 } as never, { jobId: 'later-1', delay: 3_600_000 });
  await api.c.queues.sweep.upsertJobScheduler('reminder-sweep', { pattern: '0 7 * * *', tz: 'Europe/Oslo' }, { name: 'reminder-sweep', data: { trigger: 'scheduled' } as never });
}

/** The queue's actions menu (⋮): the last menu trigger on a queue page. */
const queueMenu = (page: Page) => page.locator('button[aria-haspopup="menu"]').last();

/** Resolves once the page's CSS animations (dialogs fading in, toasts) have finished. */
const animations = (page: Page) => page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));

async function openBoard(password: string) {
  const context = await browser.newContext({ httpCredentials: { username: 'ops', password }, viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const writes: { route: string; status: number }[] = [];
  page.on('response', (r) => {
    if (r.request().method() !== 'GET' && r.url().startsWith(`${base}/admin/queues/api/`)) writes.push({ route: `${r.request().method()} ${new URL(r.url()).pathname.replace('/admin/queues', '')}`, status: r.status() });
  });
  const csp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/.test(m.text())) csp.push(m.text());
  });
  return { context, page, writes, csp };
}

const menuItems = async (page: Page, trigger: ReturnType<Page['locator']>) => {
  await trigger.click();
  await page.getByRole('menuitem').first().waitFor();
  const items = (await page.getByRole('menuitem').allInnerTexts()).map((t) => t.replace(/\s*\d+\s*/g, ' ').replace(/\s+/g, ' ').trim());
  await page.keyboard.press('Escape');
  await page.getByRole('menuitem').first().waitFor({ state: 'detached' });
  return items;
};

/** Clicks a queue-menu item and confirms its dialog; returns the write the board made. */
async function queueAction(page: Page, writes: { route: string; status: number }[], item: string, confirm = /^(Confirm|Add|Save|Set|Update)/) {
  const before = writes.length;
  await queueMenu(page).click();
  await page.getByRole('menuitem', { name: new RegExp(`^${item}`) }).click();
  const button = page.locator('[role="dialog"], [role="alertdialog"]').getByRole('button', { name: confirm }).last();
  await button.waitFor();
  await animations(page);
  await button.click();
  await waitFor(`the board's request for ${item}`, () => writes.length > before);
  // A refused action leaves its dialog open: close it before the next one.
  if (await button.isVisible().catch(() => false)) await page.keyboard.press('Escape');
  await button.waitFor({ state: 'detached' }).catch(() => undefined);
  return writes[writes.length - 1]!;
}

it('without credentials the board asks for them (HTTP Basic), with a bad token too; every answer has the security headers', async () => {
  const none = await fetch(`${base}/admin/queues`);
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="reminders bull board"/);
  const bad = await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:rmd_not-a-token').toString('base64')}` } });
  expect(bad.status).toBe(401);
  const service = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${api.tokens.service}` } });
  expect(service.status).toBe(403);
  const ok = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${api.tokens.viewer}` } });
  expect(ok.status).toBe(200);
  for (const r of [none, ok]) {
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=31536000; includeSubDomains/);
  }
});

it('the board works under its CSP: it renders, and the only thing the CSP blocks is its Google Fonts stylesheet', async () => {
  const { context, page, csp } = await openBoard(api.tokens.operator);
  try {
    await page.goto(`${base}/admin/queues`);
    await page.getByText('reminder-dispatch').first().waitFor();
    await page.waitForFunction(() => !/Loading/i.test(document.body.innerText));
    await animations(page);
    await page.screenshot({ path: path.join(IMG, 'bull-board-queues.png') });
    expect(await page.evaluate(() => document.body.innerText)).toMatch(/reminder-sweep[\s\S]*FAILED/);
    expect(csp.length).toBeGreaterThan(0);
    expect(csp.filter((m) => !m.includes('https://fonts.googleapis.com/'))).toEqual([]);
  } finally {
    await context.close();
  }
});

it("a page on another port (same site) can neither frame the board nor use the operator's cached sign-in to write", async () => {
  const { context, page } = await openBoard(api.tokens.operator);
  try {
    await page.goto(`${base}/admin/queues`); // the browser now holds the operator's Basic credentials
    await page.getByText('reminder-dispatch').first().waitFor();
    await page.goto(evilBase);
    await page.waitForLoadState('load');
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framed = await frame?.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    expect(framed ?? '').not.toMatch(/reminder-dispatch/);
    await page.waitForTimeout(500); // sendBeacon has no completion event; the server answers in milliseconds
    // (the job scheduler's next run is the sweep queue's only job: a delayed one)
    expect(await api.c.queues.sweep.getJobCounts('waiting', 'active', 'prioritized')).toEqual({ waiting: 0, active: 0, prioritized: 0 });
    expect(await api.c.queues.sweep.isPaused()).toBe(false);
  } finally {
    await context.close();
  }
});

it('an operator sees only documented controls; the allowed ones work and are audited, the refused ones say why', async () => {
  const { context, page, writes } = await openBoard(api.tokens.operator);
  try {
    const seen: string[] = [];
    await page.goto(`${base}/admin/queues`);
    await page.getByText('reminder-dispatch').first().waitFor();
    seen.push(...(await menuItems(page, page.locator('button[aria-haspopup="menu"]').first())).map((i) => `overview menu: ${i}`));

    await page.goto(`${base}/admin/queues/queue/reminder-sweep`);
    await page.getByRole('button', { name: 'Queue info' }).waitFor();
    seen.push(...(await menuItems(page, queueMenu(page))).map((i) => `queue menu: ${i}`));
    await page.goto(`${base}/admin/queues/queue/reminder-dispatch?status=failed`);
    await page.getByText('bad-1').waitFor();
    seen.push(...(await menuItems(page, queueMenu(page))).map((i) => `queue menu: ${i}`));
    for (const status of ['failed', 'completed', 'delayed']) {
      await page.goto(`${base}/admin/queues/queue/reminder-dispatch?status=${status}`);
      await page.getByRole('button', { name: 'Clean all' }).waitFor();
      for (const b of await page.getByRole('button', { name: /^(Retry all|Clean all|Promote all)$/ }).allInnerTexts()) seen.push(`status bar: ${b.trim()}`);
    }
    await page.goto(`${base}/admin/queues/job-schedulers`);
    await page.getByRole('button', { name: 'Run now' }).waitFor();
    for (const b of ['Job template', 'Run now', 'Edit schedule', 'Remove scheduler']) if (await page.getByRole('button', { name: b }).count()) seen.push(`schedulers: ${b}`);
    expect([...new Set(seen)].filter((s) => !(s in BOARD_CONTROLS))).toEqual([]);

    // Refused: the board shows the server's reason in its error toast; nothing changes.
    await page.goto(`${base}/admin/queues/queue/reminder-sweep`);
    await page.getByRole('button', { name: 'Queue info' }).waitFor();
    for (const item of ['Empty', 'Obliterate', 'Set concurrency']) {
      const w = await queueAction(page, writes, item);
      expect(w.status).toBe(403);
    }
    await page.getByText(/emptying a queue is refused/).first().waitFor();
    await animations(page);
    await page.screenshot({ path: path.join(IMG, 'bull-board-refused.png') });
    expect(await api.c.queues.sweep.getJobSchedulers()).toHaveLength(1);

    await page.goto(`${base}/admin/queues/job-schedulers`);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('button', { name: 'Confirm' }).waitFor();
    await animations(page);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the refused Run now', () => writes.some((w) => w.route.endsWith('/run')));
    expect(writes.find((w) => w.route.endsWith('/run'))).toEqual({ route: 'PUT /api/queues/reminder-sweep/job-schedulers/reminder-sweep/run', status: 403 });
    expect(await api.c.queues.sweep.getWaitingCount()).toBe(0);

    // Allowed: pause (audited, visible in status), resume, clean finished jobs.
    await page.goto(`${base}/admin/queues/queue/reminder-sweep`);
    await page.getByRole('button', { name: 'Queue info' }).waitFor();
    await queueMenu(page).click();
    await page.getByRole('menuitem', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Confirm' }).waitFor();
    await animations(page);
    await page.screenshot({ path: path.join(IMG, 'bull-board-pause-confirm.png') });
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the sweep queue to be paused', () => api.c.queues.sweep.isPaused());
    const audit = await api.prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'board.queue.pause' } });
    expect(audit).toMatchObject({ actor: 'test-operator', targetId: 'reminder-sweep' });
    expect((await api.c.services.ops.status()).queuesPaused).toEqual({ sweep: true, dispatch: false });
    expect((await queueAction(page, writes, 'Resume')).status).toBe(200);
    expect(await api.c.queues.sweep.isPaused()).toBe(false);

    await page.goto(`${base}/admin/queues/queue/reminder-dispatch?status=completed`);
    await page.getByRole('button', { name: 'Clean all' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the completed jobs to be cleaned', async () => (await api.c.queues.dispatch.getCompletedCount()) === 0);
    expect(await api.prisma.adminAuditLog.count({ where: { action: 'board.queue.clean', actor: 'test-operator' } })).toBe(1);
    expect(writes.filter((w) => w.status >= 500)).toEqual([]);
  } finally {
    await context.close();
  }
});

it("a viewer sees the board but cannot change anything: the server refuses the viewer's pause and clean", async () => {
  const { context, page, writes } = await openBoard(api.tokens.viewer);
  try {
    await page.goto(`${base}/admin/queues/queue/reminder-sweep`);
    await page.getByRole('button', { name: 'Queue info' }).waitFor();
    await queueMenu(page).click();
    await page.getByRole('menuitem', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the refused request', () => writes.length > 0);
    await page.goto(`${base}/admin/queues/queue/reminder-dispatch?status=failed`);
    await page.getByRole('button', { name: 'Clean all' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the refused clean', () => writes.length > 1);
    expect(writes.map((w) => w.status)).toEqual([403, 403]);
    expect(await api.c.queues.sweep.isPaused()).toBe(false);
    expect(await api.c.queues.dispatch.getFailedCount()).toBe(1);
  } finally {
    await context.close();
  }
});
