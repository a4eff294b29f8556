/**
 * Every message the service sends or shows, per locale (`nb`, `en`): reminder e-mails and digests
 * to mentors, escalations and digests to coordinators, the undeliverable-address notice, the
 * unsubscribe page, and the in-app notification texts. Messages carry links, not data: a contact
 * appears by first name only and never in a subject; no surname, note or activity detail.
 */
export { LOCALES, isLocale, pickLocale, type Locale } from './locale';
export { contactFirstName } from './names';
export type { RenderedEmail } from './engine';
export { renderReminderEmail, type ReminderItem } from './mentor-reminder';
export { renderMentorDigest } from './mentor-digest';
export { renderCoordinatorEmail, type CoordinatorItem } from './coordinator-email';
export { renderCoordinatorDigest } from './coordinator-digest';
export { renderUndeliverableNotice } from './undeliverable-notice';
export { renderUnsubscribePage } from './unsubscribe-page';
export { inAppFormats, formatInApp, type InAppFormats } from './in-app';
