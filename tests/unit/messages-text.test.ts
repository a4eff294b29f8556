/**
 * The pieces messages are made of: first names, the locale choice, dates, and the in-app format()
 * strings, checked against PostgreSQL's own format() (read-only: the maintenance database).
 */
import { Client } from 'pg';
import { LOCALES, contactFirstName, formatInApp, inAppFormats, isLocale, pickLocale, renderCoordinatorDigest, renderMentorDigest, type Locale } from '@reminders/core/messages/index';
import { contactFirstNameSql } from '@reminders/core/messages/names';
import { IN_APP_KEYS, ORDINARY_NAMES, inAppArgs } from '../helpers/message-cases';
import { TEST_PG_BASE } from '../helpers/test-env';

describe('contactFirstName', () => {
  it.each([
    ['Kari Nordmann-Østby', 'Kari'],
    ['Ola  de la Cruz', 'Ola'],
    ['  Ola  de la Cruz  ', 'Ola'],
    ['Kari\tNordmann', 'Kari'],
    ['Kari\nNordmann', 'Kari'],
    ['Kari\u00a0Nordmann', 'Kari'],
    ['Anne-Marie Olsen', 'Anne-Marie'],
    ['Cher', 'Cher'],
    ['Ærlige Åse Øvre', 'Ærlige'],
    ['A'.repeat(45), 'A'.repeat(40)],
    [`${'a'.repeat(39)}😀😀 Nordmann`, `${'a'.repeat(39)}😀`],
  ])('%j -> %j', (full, first) => {
    expect(contactFirstName(full, 'nb')).toBe(first);
    expect(contactFirstName(full, 'en')).toBe(first);
  });

  it.each([[''], ['   '], ['\t\n'], [null], [undefined]])('%j -> a neutral word per locale', (full) => {
    expect(contactFirstName(full, 'nb')).toBe('kontakten');
    expect(contactFirstName(full, 'en')).toBe('your contact');
  });
});

describe('locales', () => {
  it('are nb and en, and isLocale knows exactly those', () => {
    expect([...LOCALES]).toEqual(['nb', 'en']);
    for (const s of ['nb', 'en']) expect(isLocale(s)).toBe(true);
    for (const s of ['NB', 'nn', 'no', 'en-GB', '', ' nb', null, undefined, 1, {}]) expect(isLocale(s)).toBe(false);
  });

  it.each<[(string | null | undefined)[], Locale]>([
    [['en', 'nb'], 'en'],
    [['nb', 'en'], 'nb'],
    [[null, 'en'], 'en'],
    [[undefined, 'en'], 'en'],
    [['', 'en'], 'en'],
    [['fr', 'en'], 'en'],
    [['EN', null], 'nb'],
    [[null, null], 'nb'],
    [[undefined], 'nb'],
    [[], 'nb'],
  ])('pickLocale(%j) = %s', (candidates, locale) => {
    expect(pickLocale(...candidates)).toBe(locale);
  });
});

describe('dates and counts', () => {
  const digest = (locale: Locale, localDate: string) =>
    renderMentorDigest({
      locale,
      mentorName: 'Per',
      programmeName: 'P',
      localDate,
      followUp: false,
      unsubscribeUrl: 'https://api.example.org/u',
      preferencesUrl: 'https://app.example.org/p',
      items: [{ contactName: 'Kari', sequenceNumber: 1234, escalated: false, lastReminder: false, assignmentUrl: 'https://app.example.org/a/1' }],
    });

  it('writes the local date out per locale, whatever the process time zone', () => {
    expect(digest('nb', '2026-12-02').text).toContain('2. desember 2026');
    expect(digest('en', '2026-12-02').text).toContain('2 December 2026');
    expect(digest('en', '2026-01-01').text).toContain('1 January 2026');
    expect(digest('nb', '2026-12-31').text).toContain('31. desember 2026');
  });

  it('formats numbers per locale', () => {
    expect(digest('nb', '2026-12-02').text).toContain('påminnelse 1\u00a0234');
    expect(digest('en', '2026-12-02').text).toContain('reminder 1,234');
  });

  it.each([['2026-02-30'], ['2026-12-2'], ['02.12.2026'], [''], ['2026-12-02T00:00:00Z']])('refuses the local date %j', (d) => {
    expect(() => digest('nb', d)).toThrow(/not a calendar date/u);
  });

  it('refuses an empty digest and an unknown locale', () => {
    const base = { coordinatorName: 'A', programmeName: 'P', localDate: '2026-12-02', followUp: false };
    expect(() => renderCoordinatorDigest({ ...base, locale: 'nb', items: [] })).toThrow(/at least one/u);
    expect(() => renderCoordinatorDigest({ ...base, locale: 'fr' as Locale, items: [{ mentorName: 'Per', contactName: 'Kari', sequenceNumber: 3, reason: 'escalated', lastReminder: false, assignmentUrl: 'https://app.example.org/a/1' }] })).toThrow(/locale/u);
  });
});

describe('formatInApp', () => {
  it('substitutes %N$s in any order, any number of times, and %% as %', () => {
    expect(formatInApp('%2$s, %1$s and %2$s: 100%%', ['a', 7])).toBe('7, a and 7: 100%');
    expect(formatInApp('no placeholders', [])).toBe('no placeholders');
  });

  it('never reads an argument as a format', () => {
    expect(formatInApp('%1$s / %2$s', ['%2$s', '50%'])).toBe('%2$s / 50%');
  });

  it.each([['%s'], ['%1$I'], ['%1$L'], ['%-10s'], ['50% off'], ['%'], ['%0$s']])('refuses %j (not a %%N$s nor %%%%)', (fmt) => {
    expect(() => formatInApp(fmt, ['x'])).toThrow(/unsupported format\(\) specifier/u);
  });

  it('refuses too few arguments, as format() does', () => {
    expect(() => formatInApp('%1$s %3$s', ['a', 'b'])).toThrow(/too few arguments/u);
  });
});

describe('in-app formats', () => {
  let pg: Client;
  beforeAll(async () => {
    pg = new Client({ connectionString: TEST_PG_BASE });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
  });

  it.each(LOCALES.map((l) => [l]))('%s: only %%1$s..%%3$s and %%%% as specifiers, every text names the contact', (locale) => {
    const f = inAppFormats(locale);
    expect(Object.keys(f).sort()).toEqual([...IN_APP_KEYS].sort());
    for (const key of IN_APP_KEYS) {
      expect({ key, fmt: f[key] }).toEqual({ key, fmt: expect.stringMatching(/^(?:[^%]|%%|%[1-3]\$s)+$/u) });
      expect(f[key]).toContain('%1$s');
    }
    for (const key of ['coordinatorTitle', 'coordinatorBody', 'coordinatorLastBody', 'coverTitle', 'coverBody'] as const) expect(f[key]).toContain('%3$s');
  });

  const cases = LOCALES.flatMap((locale) =>
    IN_APP_KEYS.flatMap((key) =>
      [
        inAppArgs(ORDINARY_NAMES.contacts[0], 3, ORDINARY_NAMES.mentor, locale),
        ['50%', 12, '%1$s'] as [string, number, string],
        ["O'Brien", 1, '<b>Per</b>'] as [string, number, string],
      ].map((args) => [locale, key, args] as const),
    ),
  );

  it('contactFirstNameSql gives what contactFirstName gives, in both locales', async () => {
    const names = ['Kari Nordmann-Østby', '  Ola  de la Cruz ', 'Kari\tNordmann', 'Kari\nNordmann', 'Kari\u00a0Nordmann', '\u3000Kari\u2003Nordmann', 'Kari\u202fNordmann', 'Anne-Marie Olsen', 'A'.repeat(45), `${'a'.repeat(39)}😀😀 N`, '', '   ', '\u00a0', null];
    for (const locale of [...LOCALES, 'xx']) {
      const { rows } = await pg.query<{ first: string }>(`SELECT ${contactFirstNameSql('n', '$2::text')} AS first FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i`, [names, locale]);
      expect({ locale, firstNames: rows.map((r) => r.first) }).toEqual({ locale, firstNames: names.map((n) => contactFirstName(n, isLocale(locale) ? locale : 'nb')) });
    }
  });

  it.each(cases)('%s %s with %j: formatInApp gives what PostgreSQL format() gives', async (locale, key, args) => {
    const fmt = inAppFormats(locale)[key];
    const { rows } = await pg.query<{ s: string }>('SELECT format($1::text, $2::text, $3::int, $4::text) AS s', [fmt, args[0], args[1], args[2]]);
    expect(formatInApp(fmt, args)).toBe(rows[0]!.s);
  });
});
