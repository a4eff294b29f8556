/**
 * Each process builds only what it uses (issue 14). The factories of the heavy parts are wrapped
 * in spies (the real ones still run): a CLI `status` against the real Postgres and Redis, with an
 * SMTP relay configured, builds no dispatch pool and no SMTP transport; the API builds no dispatch
 * pool and no reminder SMTP pool (only the alert channel's transport); the worker builds both, so
 * the check can fail.
 */
import { createTestEnv, type TestEnv } from '../helpers/test-env';
import { createLogger } from '@reminders/core/logger';

const spies = { dispatchPool: jest.fn(), email: jest.fn(), registrationPool: jest.fn() };
jest.mock('@reminders/core/db/dispatch-pool', () => {
  const real = jest.requireActual('@reminders/core/db/dispatch-pool');
  return { ...real, createDispatchPool: (...a: unknown[]) => (spies.dispatchPool(...a), real.createDispatchPool(...a)) };
});
jest.mock('@reminders/core/channels/email-channel', () => {
  const real = jest.requireActual('@reminders/core/channels/email-channel');
  return { ...real, createEmailChannel: (...a: unknown[]) => (spies.email(...a), real.createEmailChannel(...a)) };
});
jest.mock('@reminders/core/db/registration-pool', () => {
  const real = jest.requireActual('@reminders/core/db/registration-pool');
  return { ...real, createRegistrationPool: (...a: unknown[]) => (spies.registrationPool(...a), real.createRegistrationPool(...a)) };
});

// After the mocks: these import the wrapped factories.
import { withData, withOps } from '@reminders/cli/composition';
import { createApiRoot } from '@reminders/api/composition';
import { createWorkerRoot } from '@reminders/worker/composition';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.destroy();
});
beforeEach(() => Object.values(spies).forEach((s) => s.mockClear()));

const config = () => env.config({ SMTP_URL: 'smtp://127.0.0.1:2525', ALERT_EMAIL_TO: 'ops@example.org' });

it('CLI status reads the real state and builds no dispatch pool, no SMTP transport and no registration pool', async () => {
  const status = await withOps((r) => r.ops.status(), config());
  expect(status).toMatchObject({ enabled: true, lock: { held: false } });
  expect(spies.dispatchPool).not.toHaveBeenCalled();
  expect(spies.email).not.toHaveBeenCalled();
  expect(spies.registrationPool).not.toHaveBeenCalled();
});

it('CLI token list needs Postgres only: no SMTP, no dispatch pool', async () => {
  expect(await withData((r) => r.tokens.list(), config())).toEqual([]);
  expect(spies.dispatchPool).not.toHaveBeenCalled();
  expect(spies.email).not.toHaveBeenCalled();
});

it('the API builds the alert e-mail channel but no dispatch pool and no reminder SMTP pool', async () => {
  const cfg = config();
  const root = createApiRoot({ config: cfg, logger: createLogger(cfg) });
  await root.close();
  expect(spies.dispatchPool).not.toHaveBeenCalled();
  expect(spies.email).toHaveBeenCalledTimes(1);
  expect(spies.email.mock.calls[0]![0]).not.toHaveProperty('pool');
  expect(spies.registrationPool).toHaveBeenCalledTimes(1);
});

it('the worker builds the dispatch pool and both SMTP transports, and no registration pool', async () => {
  const cfg = config();
  const root = createWorkerRoot({ config: cfg, logger: createLogger(cfg) });
  await root.close();
  expect(spies.dispatchPool).toHaveBeenCalledTimes(1);
  expect(spies.email).toHaveBeenCalledTimes(2);
  expect(spies.email.mock.calls.map((c) => 'pool' in (c[0] as object))).toEqual([false, true]);
  expect(spies.registrationPool).not.toHaveBeenCalled();
});
