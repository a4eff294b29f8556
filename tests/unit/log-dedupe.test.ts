/** The repeat filter the worker's error log goes through: a 45 s stall of identical errors is a handful of lines. */
import { createManualClock } from '@reminders/core/clock';
import { createRepeatFilter } from '@reminders/core/log-dedupe';

it('2,543 identical errors over 45 s log 5 lines, each after the first saying how many it held back', () => {
  const clock = createManualClock('2026-11-28T06:00:00Z');
  const filter = createRepeatFilter({ clock, windowMs: 10_000 });
  const logged: number[] = [];
  for (let i = 0; i < 2543; i++) {
    const r = filter.check('reminder-dispatch:Connection is closed.');
    if (r.log) logged.push(r.suppressed);
    clock.advance(45_000 / 2543);
  }
  expect(logged).toHaveLength(5);
  expect(logged[0]).toBe(0);
  expect(logged.slice(1).every((n) => n > 500)).toBe(true);
  expect(logged.length + logged.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2543);
});

it('different errors are each logged at once', () => {
  const filter = createRepeatFilter({ clock: createManualClock('2026-11-28T06:00:00Z') });
  expect(filter.check('a').log).toBe(true);
  expect(filter.check('b').log).toBe(true);
  expect(filter.check('a').log).toBe(false);
});
