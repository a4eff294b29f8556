/**
 * Every message template in every variant the tests look at, with the people's names as a
 * parameter: the snapshot test renders them with ordinary names, the privacy and escaping tests
 * with hostile ones, so both cover the same list and a new variant added here is covered by both.
 */
import {
  formatInApp,
  inAppFormats,
  renderCoordinatorDigest,
  renderCoordinatorEmail,
  renderMentorDigest,
  renderReminderEmail,
  renderUndeliverableNotice,
  renderUnsubscribePage,
  type CoordinatorItem,
  type InAppFormats,
  type Locale,
  type RenderedEmail,
  type ReminderItem,
} from '@reminders/core/messages/index';
import { contactFirstName } from '@reminders/core/messages/index';

export type CaseNames = {
  /** Four contacts' full names (digests list all four). */
  contacts: [string, string, string, string];
  mentor: string;
  otherMentor: string;
  coordinator: string;
  programme: string;
};

export const ORDINARY_NAMES: CaseNames = {
  contacts: ['Kari Nordmann-Østby', 'Ola  de la Cruz', 'Ingrid Bakke', 'Mohammed Ali Hassan'],
  mentor: 'Per Olav Hansen',
  otherMentor: 'Sigrid Lie',
  coordinator: 'Aisha Rahman',
  programme: 'Oslo Mentor',
};

const APP = 'https://app.example.org';
const UNSUBSCRIBE = 'https://api.example.org/v1/unsubscribe/17.1798761600.5m3Q0Zz9kX2yH7mJq8vN1aB4cD6eF0gH2iJ4kL6mN8o';
const PREFERENCES = `${APP}/preferences`;

const reminder = (contactName: string, n: number, sequenceNumber: number, flags: Partial<Pick<ReminderItem, 'escalated' | 'lastReminder'>> = {}): ReminderItem => ({
  contactName,
  sequenceNumber,
  escalated: flags.escalated ?? false,
  lastReminder: flags.lastReminder ?? false,
  assignmentUrl: `${APP}/assignments/${100 + n}`,
});

const toCoordinator = (mentorName: string, contactName: string, n: number, sequenceNumber: number, reason: CoordinatorItem['reason'], lastReminder = false): CoordinatorItem => ({
  mentorName,
  contactName,
  sequenceNumber,
  reason,
  lastReminder,
  assignmentUrl: `${APP}/assignments/${100 + n}`,
});

export type EmailCase = { name: string; render: (locale: Locale) => RenderedEmail };

export function emailCases(names: CaseNames): EmailCase[] {
  const [c1, c2, c3, c4] = names.contacts;
  const mentorBase = { mentorName: names.mentor, programmeName: names.programme, unsubscribeUrl: UNSUBSCRIBE, preferencesUrl: PREFERENCES };
  const coordinatorBase = { coordinatorName: names.coordinator, programmeName: names.programme };
  const date = '2026-12-02';
  return [
    { name: 'reminder, first', render: (locale) => renderReminderEmail({ locale, ...mentorBase, item: reminder(c1, 1, 1), coordinatorInformed: false }) },
    { name: 'reminder, escalated, coordinator informed', render: (locale) => renderReminderEmail({ locale, ...mentorBase, item: reminder(c1, 1, 3, { escalated: true }), coordinatorInformed: true }) },
    { name: 'reminder, last', render: (locale) => renderReminderEmail({ locale, ...mentorBase, item: reminder(c2, 2, 6, { escalated: true, lastReminder: true }), coordinatorInformed: true }) },
    {
      name: 'mentor digest, 4 items',
      render: (locale) =>
        renderMentorDigest({
          locale,
          ...mentorBase,
          localDate: date,
          followUp: false,
          items: [reminder(c1, 1, 1), reminder(c2, 2, 2), reminder(c3, 3, 3, { escalated: true }), reminder(c4, 4, 6, { escalated: true, lastReminder: true })],
        }),
    },
    { name: 'mentor digest, follow-up, 2 items', render: (locale) => renderMentorDigest({ locale, ...mentorBase, localDate: date, followUp: true, items: [reminder(c3, 3, 1), reminder(c4, 4, 4, { escalated: true })] }) },
    { name: 'mentor digest, 1 item', render: (locale) => renderMentorDigest({ locale, ...mentorBase, localDate: '2026-01-09', followUp: false, items: [reminder(c1, 1, 2)] }) },
    { name: 'mentor digest, follow-up, 1 item', render: (locale) => renderMentorDigest({ locale, ...mentorBase, localDate: date, followUp: true, items: [reminder(c2, 2, 1)] }) },
    { name: 'coordinator, escalated', render: (locale) => renderCoordinatorEmail({ locale, ...coordinatorBase, item: toCoordinator(names.mentor, c1, 1, 3, 'escalated') }) },
    { name: 'coordinator, escalated, last reminder', render: (locale) => renderCoordinatorEmail({ locale, ...coordinatorBase, item: toCoordinator(names.mentor, c2, 2, 6, 'escalated', true) }) },
    { name: 'coordinator, covered', render: (locale) => renderCoordinatorEmail({ locale, ...coordinatorBase, item: toCoordinator(names.mentor, c3, 3, 1, 'covered') }) },
    { name: 'coordinator, covered, last reminder', render: (locale) => renderCoordinatorEmail({ locale, ...coordinatorBase, item: toCoordinator(names.mentor, c4, 4, 6, 'covered', true) }) },
    {
      name: 'coordinator digest, 4 items',
      render: (locale) =>
        renderCoordinatorDigest({
          locale,
          ...coordinatorBase,
          localDate: date,
          followUp: false,
          items: [
            toCoordinator(names.mentor, c1, 1, 3, 'escalated'),
            toCoordinator(names.otherMentor, c2, 2, 6, 'escalated', true),
            toCoordinator(names.mentor, c3, 3, 1, 'covered'),
            toCoordinator(names.otherMentor, c4, 4, 6, 'covered', true),
          ],
        }),
    },
    { name: 'coordinator digest, follow-up, escalations only', render: (locale) => renderCoordinatorDigest({ locale, ...coordinatorBase, localDate: date, followUp: true, items: [toCoordinator(names.mentor, c1, 1, 4, 'escalated'), toCoordinator(names.otherMentor, c2, 2, 3, 'escalated')] }) },
    { name: 'coordinator digest, 1 item, covered only', render: (locale) => renderCoordinatorDigest({ locale, ...coordinatorBase, localDate: date, followUp: false, items: [toCoordinator(names.mentor, c3, 3, 2, 'covered')] }) },
    { name: 'undeliverable, hard bounce', render: (locale) => renderUndeliverableNotice({ locale, coordinatorName: names.coordinator, mentorName: names.mentor, reason: 'hard_bounce', mentorUrl: `${APP}/mentors/17` }) },
    { name: 'undeliverable, complaint', render: (locale) => renderUndeliverableNotice({ locale, coordinatorName: names.coordinator, mentorName: names.mentor, reason: 'complaint', mentorUrl: `${APP}/mentors/17` }) },
  ];
}

export type PageCase = { name: string; render: (locale: Locale) => string };

const POST_URL = UNSUBSCRIBE;

export const pageCases: PageCase[] = [
  { name: 'unsubscribe page, confirm', render: (locale) => renderUnsubscribePage({ locale, state: 'confirm', postUrl: POST_URL, preferencesUrl: PREFERENCES }) },
  { name: 'unsubscribe page, done', render: (locale) => renderUnsubscribePage({ locale, state: 'done', preferencesUrl: PREFERENCES }) },
  { name: 'unsubscribe page, expired', render: (locale) => renderUnsubscribePage({ locale, state: 'expired', preferencesUrl: PREFERENCES }) },
  { name: 'unsubscribe page, invalid', render: (locale) => renderUnsubscribePage({ locale, state: 'invalid' }) },
];

export const IN_APP_KEYS: (keyof InAppFormats)[] = ['mentorTitle', 'mentorBody', 'coordinatorTitle', 'coordinatorBody', 'coordinatorLastBody', 'coverTitle', 'coverBody'];

/** The arguments the reminder write statement passes: contact first name, sequence number, mentor first name. */
export const inAppArgs = (contactName: string, sequenceNumber: number, mentorName: string, locale: Locale): [string, number, string] => [
  contactFirstName(contactName, locale),
  sequenceNumber,
  // The mentor's first name the same way (the neutral word differs, but only for empty names).
  contactFirstName(mentorName, locale),
];

/** Every in-app text for `names`, rendered as PostgreSQL would. */
export function inAppTexts(names: CaseNames, locale: Locale): { key: keyof InAppFormats; text: string }[] {
  const f = inAppFormats(locale);
  return names.contacts.flatMap((c, i) => IN_APP_KEYS.map((key) => ({ key, text: formatInApp(f[key], inAppArgs(c, i + 3, names.mentor, locale)) })));
}
