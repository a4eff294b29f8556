/**
 * Bull Board in a real browser (Debian's Chromium driven by playwright-core): an operator signs in
 * with an API token, opens the sweep queue and pauses / resumes it; a viewer's board is read-only.
 * The screenshots the runbook shows are written by this test (docs/runbook/img).
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness';
import { waitFor } from '../helpers/wait-for';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IMG = path.resolve(__dirname, '../../docs/runbook/img');

let env: TestEnv;
let api: ApiHarness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiHarness(env, { now: new Date().toISOString() });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await env?.destroy();
});

/** The queue's actions menu (⋮): the last menu trigger on a queue page. */
const queueMenu = (page: Page) => page.locator('button[aria-haspopup="menu"]').last();

/** Resolves once the page's CSS animations (the dialog fading in) have finished. */
async function settled(page: Page) {
  await page.getByRole('button', { name: 'Confirm' }).waitFor();
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
}

async function openBoard(password: string) {
  const context = await browser.newContext({ httpCredentials: { username: 'ops', password }, viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  return { context, page };
}

it('without credentials the board asks for them (HTTP Basic), with a bad token too', async () => {
  const none = await fetch(`${base}/admin/queues`);
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="reminders bull board"/);
  const bad = await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:rmd_not-a-token').toString('base64')}` } });
  expect(bad.status).toBe(401);
  const service = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${api.tokens.service}` } });
  expect(service.status).toBe(403);
});

it('an operator signs in, opens the sweep queue, pauses and resumes it', async () => {
  const { context, page } = await openBoard(api.tokens.operator);
  try {
    await page.goto(`${base}/admin/queues`);
    await page.getByText('reminder-dispatch').first().waitFor();
    // The overview fills in after the sidebar: wait until it no longer says it is loading.
    await page.waitForFunction(() => !/Loading/i.test(document.body.innerText));
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await page.screenshot({ path: path.join(IMG, 'bull-board-queues.png') });

    await page.goto(`${base}/admin/queues/queue/reminder-sweep`);
    await page.getByRole('button', { name: 'Queue info' }).waitFor();
    await queueMenu(page).click();
    await page.getByRole('menuitem', { name: 'Pause' }).click();
    await settled(page);
    await page.screenshot({ path: path.join(IMG, 'bull-board-pause-confirm.png') });
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the sweep queue to be paused', () => api.c.queues.sweep.isPaused());

    await queueMenu(page).click();
    await page.getByRole('menuitem', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the sweep queue to be resumed', async () => !(await api.c.queues.sweep.isPaused()));
  } finally {
    await context.close();
  }
});

it("a viewer sees the board but cannot change anything: the server refuses the viewer's pause", async () => {
  const { context, page } = await openBoard(api.tokens.viewer);
  try {
    const refused: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() !== 'GET' && r.url().includes('/admin/queues/api/')) refused.push(r.status());
    });
    await page.goto(`${base}/admin/queues/queue/reminder-sweep`);
    await page.getByRole('button', { name: 'Queue info' }).waitFor();
    await queueMenu(page).click();
    await page.getByRole('menuitem', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitFor('the refused request', () => refused.length > 0);
    expect(refused).toEqual([403]);
    expect(await api.c.queues.sweep.isPaused()).toBe(false);
  } finally {
    await context.close();
  }
});
