/**
 * What leaves the system in a message is minimal: no surname of anybody (contact, mentor,
 * coordinator), no name at all in a subject, and a name from the database is data, never markup
 * nor template, whatever it contains.
 */
import { LOCALES, renderMentorDigest, renderReminderEmail, renderUnsubscribePage } from '@reminders/core/messages/index';
import { ORDINARY_NAMES, emailCases, inAppTexts, pageCases, type CaseNames } from '../helpers/message-cases';

/** `part` as a whole word (letters and digits around it end it), case-insensitively. */
const asWord = (part: string) => new RegExp(`(?<![\\p{L}\\p{N}])${part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu');

const NAMES: CaseNames = {
  ...ORDINARY_NAMES,
  contacts: ['Kari Nordmann-Østby', 'Ola  de la Cruz', '  Kari\tNordmann-Østby ', 'Ola\u00a0de la Cruz'],
};
const SURNAMES = ['Nordmann-Østby', 'Nordmann', 'Østby', 'de', 'la', 'Cruz', 'Olav', 'Hansen', 'Lie', 'Rahman'];
const FIRST_NAMES = ['Kari', 'Ola', 'Per', 'Sigrid', 'Aisha'];

describe.each(LOCALES.map((l) => [l]))('locale %s', (locale) => {
  const rendered = emailCases(NAMES).map((c) => ({ name: c.name, ...c.render(locale) }));

  it.each(SURNAMES.map((s) => [s]))('no e-mail part and no in-app text contains the surname part %j', (surname) => {
    for (const m of rendered) {
      for (const part of [m.subject, m.text, m.html]) expect({ case: m.name, contains: asWord(surname).test(part) }).toEqual({ case: m.name, contains: false });
      // The long parts not even inside another word.
      if (surname.length > 3) for (const part of [m.subject, m.text, m.html]) expect(part.toLowerCase()).not.toContain(surname.toLowerCase());
    }
    for (const { key, text } of inAppTexts(NAMES, locale)) expect({ key, contains: asWord(surname).test(text) }).toEqual({ key, contains: false });
  });

  it('the first names do appear in the bodies (the check above would catch a leak)', () => {
    const digest = rendered.find((m) => m.name === 'mentor digest, 4 items')!;
    for (const part of [digest.text, digest.html]) {
      expect(part).toContain('Kari');
      expect(part).toContain('Ola');
      expect(part).toContain('Per');
    }
    expect(inAppTexts(NAMES, locale).map((t) => t.text).join('\n')).toMatch(/Kari/u);
  });

  it('no subject names anybody, not even by first name', () => {
    for (const m of rendered) for (const first of FIRST_NAMES) expect({ case: m.name, subject: m.subject, named: asWord(first).test(m.subject) }).toMatchObject({ named: false });
  });

  it('subjects are one line', () => {
    for (const m of rendered) expect(m.subject).toMatch(/^\S[^\r\n]*\S$/u);
  });

  it('names that look like markup or templates are escaped in HTML and inert in text', () => {
    const hostile: CaseNames = {
      contacts: ['<script>alert(1)</script> Nordmann', '{{constructor}} Cruz', '{{#each}}x{{/each}} Østby', "O'Brien\"><img src=x onerror=alert(1)> Lie"],
      mentor: '{{> layout}} Hansen',
      otherMentor: '<b>Sigrid</b> Lie',
      coordinator: '{{lookup . "constructor"}} Rahman',
      programme: '<img src=x onerror=alert(1)> {{programmeName}}',
    };
    for (const c of emailCases(hostile)) {
      const m = c.render(locale);
      expect({ case: c.name, markup: m.html.match(/<script|<img|<b>/giu) }).toEqual({ case: c.name, markup: null });
      // Template-looking text is printed as it is, never evaluated (no prototype reached, nothing dropped).
      for (const part of [m.subject, m.text, m.html]) expect(part).not.toMatch(/function Object|\[object Object\]/u);
      if (!c.name.startsWith('undeliverable')) expect(m.text).toContain('<img src=x onerror=alert(1)> {{programmeName}}');
    }
    const digest = renderMentorDigest({
      locale,
      mentorName: hostile.mentor,
      programmeName: hostile.programme,
      localDate: '2026-12-02',
      followUp: false,
      unsubscribeUrl: 'https://api.example.org/v1/unsubscribe/t',
      preferencesUrl: 'https://app.example.org/preferences',
      items: hostile.contacts.map((contactName, i) => ({ contactName, sequenceNumber: i + 1, escalated: false, lastReminder: false, assignmentUrl: `https://app.example.org/assignments/${i}` })),
    });
    expect(digest.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(digest.html).toContain('{{constructor}}');
    expect(digest.html).toContain('{{#each}}x{{/each}}');
    expect(digest.html).toContain('O&#x27;Brien&quot;&gt;&lt;img');
    expect(digest.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; {{programmeName}}');
    expect(digest.text).toContain('- <script>alert(1)</script> (');
    expect(digest.text).toContain('- {{constructor}} (');
    expect(digest.text).toContain('- {{#each}}x{{/each}} (');
    expect(digest.text).toContain(`- O'Brien"><img (`);
    expect(digest.text).toMatch(/^Hei \{\{>,$|^Hi \{\{>,$/mu);
  });

  it('a link that is not http(s) is refused, not escaped', () => {
    const base = { locale, mentorName: 'Per', programmeName: 'P', coordinatorInformed: false, unsubscribeUrl: 'https://api.example.org/u', preferencesUrl: 'https://app.example.org/p' };
    const item = { contactName: 'Kari', sequenceNumber: 1, escalated: false, lastReminder: false, assignmentUrl: 'javascript:alert(1)' };
    expect(() => renderReminderEmail({ ...base, item })).toThrow(/assignmentUrl must be an http\(s\) URL/u);
    expect(() => renderReminderEmail({ ...base, item: { ...item, assignmentUrl: '/assignments/1' } })).toThrow(/not an absolute URL/u);
    expect(() => renderUnsubscribePage({ locale, state: 'confirm', postUrl: '//evil.example/x' })).toThrow(/postUrl/u);
    expect(renderUnsubscribePage({ locale, state: 'confirm', postUrl: '/v1/unsubscribe/abc' })).toContain('action="/v1/unsubscribe/abc"');
  });

  it('every unsubscribe page is a whole document in the language, and only the confirm page has a form, posting', () => {
    for (const c of pageCases) {
      const html = c.render(locale);
      expect(html).toMatch(new RegExp(`^<!DOCTYPE html>\\n<html lang="${locale}">`, 'u'));
      expect(html.includes('<form method="post"')).toBe(c.name.endsWith('confirm'));
    }
    expect(() => renderUnsubscribePage({ locale, state: 'confirm' })).toThrow(/postUrl/u);
  });
});
