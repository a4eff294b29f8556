import { loadConfig, ConfigError, CONFIG_VARIABLES } from '@reminders/core/config';

describe('config', () => {
  it('has defaults that work against local Postgres and Redis', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/reminders');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.reminderTz).toBe('Europe/Oslo');
    expect(c.rules).toEqual({ firstAfterDays: 14, repeatEveryDays: 7, escalateAfter: 3 });
    expect(c.alerts.failureThreshold).toBe(3);
    expect(c.alerts.maxRunMinutes).toBe(30);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    ['REDIS_URL', 'nonsense', /REDIS_URL must be a URL starting with redis:\/\//],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL must be a URL starting with postgresql:\/\//],
    ['REMINDER_TZ', 'Mars/Olympus', /REMINDER_TZ must be an IANA time zone/],
    ['REMINDER_CRON', '61 * * * *', /REMINDER_CRON must be a cron expression/],
    ['REMINDER_CRON', 'every day', /REMINDER_CRON must be a cron expression/],
    ['PORT', '99999', /PORT must be between 1 and 65535, got 99999/],
    ['PORT', '3e3', /PORT must be a whole number/],
    ['REMINDER_FIRST_AFTER_DAYS', '0', /REMINDER_FIRST_AFTER_DAYS must be between 1/],
    ['ALERT_FAILURE_THRESHOLD', '-1', /ALERT_FAILURE_THRESHOLD must be between 1/],
    ['ALERT_WEBHOOK_URL', 'ftp://x', /ALERT_WEBHOOK_URL must be a URL starting with http:\/\//],
    ['SMTP_URL', 'localhost:25', /SMTP_URL must be a URL/],
    ['SMTP_MAX_CONNECTIONS', '0', /SMTP_MAX_CONNECTIONS must be between 1 and 200, got 0/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['REDIS_PREFIX', 'has space', /REDIS_PREFIX must be/],
    ['TRUST_PROXY', 'yes please', /TRUST_PROXY must be false, true, a hop count/],
    ['RUN_RETRY_AFTER_MINUTES', '0', /RUN_RETRY_AFTER_MINUTES must be between 1 and 1440, got 0/],
    ['RUN_RETRY_MAX', '49', /RUN_RETRY_MAX must be between 0 and 48, got 49/],
    ['RUN_RETRY_MAX', 'lots', /RUN_RETRY_MAX must be a whole number/],
    ['EMAIL_LEASE_SECONDS', '4', /EMAIL_LEASE_SECONDS must be between 5 and 86400, got 4/],
  ])('%s=%s is refused with one line naming the variable', (name, value, message) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(name);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it.each(['production', 'test'])('refuses TRUST_PROXY=true with NODE_ENV=%s, in one line naming the variable', (nodeEnv) => {
    expect(() => loadConfig({ TRUST_PROXY: 'true', NODE_ENV: nodeEnv })).toThrow(/^Invalid configuration: TRUST_PROXY true is only allowed with NODE_ENV=development .*give the number of proxies in front \(e.g. 1\)[^\n]*$/);
    expect(loadConfig({ TRUST_PROXY: '1', NODE_ENV: nodeEnv }).trustProxy).toBe(1);
  });

  it('reads TRUST_PROXY as a boolean, a hop count or a list of proxies', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true', NODE_ENV: 'development' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('retries a failed run after 30 minutes, at most 3 times a day, unless told otherwise (0: never)', () => {
    expect(loadConfig({}).watchdog).toMatchObject({ retryAfterMinutes: 30, retryMax: 3 });
    expect(loadConfig({ RUN_RETRY_AFTER_MINUTES: '90', RUN_RETRY_MAX: '0' }).watchdog).toMatchObject({ retryAfterMinutes: 90, retryMax: 0 });
  });

  it('takes an e-mail lease as short as 5 s (the chaos suite waits that out after a kill)', () => {
    expect(loadConfig({}).emailLeaseSeconds).toBe(300);
    expect(loadConfig({ EMAIL_LEASE_SECONDS: '5' }).emailLeaseSeconds).toBe(5);
  });

  it('refuses ALERT_EMAIL_TO without SMTP_URL', () => {
    expect(() => loadConfig({ ALERT_EMAIL_TO: 'oncall@example.org' })).toThrow('Invalid configuration: ALERT_EMAIL_TO needs SMTP_URL');
    expect(loadConfig({ ALERT_EMAIL_TO: 'oncall@example.org', SMTP_URL: 'smtp://localhost:25' }).alerts.emailTo).toBe('oncall@example.org');
  });

  it('lists every variable of the DESIGN.md contract', () => {
    for (const v of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'REMINDER_CRON', 'REMINDER_TZ', 'REMINDER_FIRST_AFTER_DAYS', 'REMINDER_REPEAT_EVERY_DAYS', 'REMINDER_ESCALATE_AFTER', 'ALERT_FAILURE_THRESHOLD', 'ALERT_MAX_RUN_MINUTES', 'ALERT_WEBHOOK_URL', 'SMTP_URL']) {
      expect(CONFIG_VARIABLES).toContain(v);
    }
  });
});
