import { isTimeZone, sendAtOfCron, SLUG_PATTERN } from '@reminders/core/domain/programme';

it.each([
  ['0 7 * * *', '07:00'],
  ['30 6 * * *', '06:30'],
  [' 5 23 * * * ', '23:05'],
  ['30 6 * * 1-5', null],
  ['*/5 * * * *', null],
  ['60 7 * * *', null],
  ['0 24 * * *', null],
])('REMINDER_CRON %j names the send time %j', (cron, sendAt) => {
  expect(sendAtOfCron(cron)).toBe(sendAt);
});

it.each([
  ['Europe/Oslo', true],
  ['America/New_York', true],
  ['UTC', true],
  ['Mars/Olympus', false],
  ["Europe/Oslo'; DROP TABLE programmes; --", false],
  ['', false],
])('time zone %j is valid: %s', (tz, ok) => {
  expect(isTimeZone(tz)).toBe(ok);
});

it.each([
  ['default', true],
  ['weekly-high-risk', true],
  ['a', true],
  ['-lead', false],
  ['trail-', false],
  ['Upper', false],
  ['with space', false],
  ['x'.repeat(49), false],
])('slug %j is valid: %s', (slug, ok) => {
  expect(new RegExp(SLUG_PATTERN).test(slug)).toBe(ok);
});
