/**
 * Snapshots of every message in every locale: subject, plain text and HTML. A wording change
 * shows up here as a diff to read (and to accept with `npx jest tests/unit/messages -u`).
 */
import { LOCALES, formatInApp, inAppFormats } from '@reminders/core/messages/index';
import { IN_APP_KEYS, ORDINARY_NAMES, emailCases, inAppArgs, pageCases } from '../helpers/message-cases';

describe.each(LOCALES.map((l) => [l]))('locale %s', (locale) => {
  it.each(emailCases(ORDINARY_NAMES).map((c) => [c.name, c]))('%s', (_name, c) => {
    const { subject, text, html } = c.render(locale);
    expect(subject).toMatchSnapshot('subject');
    expect(text).toMatchSnapshot('text');
    expect(html).toMatchSnapshot('html');
  });

  it.each(pageCases.map((c) => [c.name, c]))('%s', (_name, c) => {
    expect(c.render(locale)).toMatchSnapshot();
  });

  it.each(IN_APP_KEYS.map((k) => [k]))('in-app %s', (key) => {
    const fmt = inAppFormats(locale)[key];
    expect({ format: fmt, rendered: formatInApp(fmt, inAppArgs(ORDINARY_NAMES.contacts[0], 3, ORDINARY_NAMES.mentor, locale)) }).toMatchSnapshot();
  });
});

it('covers every template: a new render function needs a case here', () => {
  const names = new Set(emailCases(ORDINARY_NAMES).map((c) => c.name.split(',')[0]));
  expect([...names].sort()).toEqual(['coordinator', 'coordinator digest', 'mentor digest', 'reminder', 'undeliverable']);
  expect(pageCases.map((c) => c.name.split(', ')[1]).sort()).toEqual(['confirm', 'done', 'expired', 'invalid']);
});
