/**
 * One reminder to a mentor (programme delivery `each`). It names the contact by first name only
 * and says nothing of the assignment beyond the link into the app.
 */
import { emailDocument, button, S } from './layout';
import { emailTemplates, type RenderedEmail } from './engine';
import { MENTOR_FOOTER } from './footers';
import { greeting } from './greeting';
import { checkedUrl, formatNumber } from './formatting';
import { contactFirstName, firstNameOf } from './names';
import type { Locale } from './locale';

export type ReminderItem = { contactName: string; sequenceNumber: number; escalated: boolean; lastReminder: boolean; assignmentUrl: string };

export type ReminderEmailInput = {
  locale: Locale;
  mentorName: string;
  programmeName: string;
  item: ReminderItem;
  coordinatorInformed: boolean;
  unsubscribeUrl: string;
  preferencesUrl: string;
};

type View = {
  mentorFirstName: string;
  contactFirstName: string;
  programmeName: string;
  sequence: string;
  lastReminder: boolean;
  coordinatorInformed: boolean;
  assignmentUrl: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
};

const render = emailTemplates<View>({
  nb: {
    subject: '{{#if lastReminder}}Siste påminnelse: du har en kontakt å følge opp{{else}}Du har en kontakt å følge opp i dag{{/if}}',
    text: `${greeting('nb', 'mentorFirstName')}

Det er på tide å ta kontakt med {{contactFirstName}} i {{programmeName}}: det er en stund siden det ble registrert kontakt. Husk å registrere aktiviteten i appen etterpå.

Åpne i appen: {{assignmentUrl}}

Dette er påminnelse nummer {{sequence}}.{{#if lastReminder}} Det er den siste: du får ingen flere påminnelser om {{contactFirstName}} før det er registrert kontakt.{{/if}}{{#if coordinatorInformed}} Koordinatoren din har også fått beskjed.{{/if}}
${MENTOR_FOOTER.nb.text}`,
    html: emailDocument(
      `
<h1 style="${S.h1}">{{#if lastReminder}}Siste påminnelse{{else}}Tid for å ta kontakt{{/if}}</h1>
<p style="${S.p}">${greeting('nb', 'mentorFirstName')}</p>
<p style="${S.p}">Det er på tide å ta kontakt med <strong>{{contactFirstName}}</strong> i {{programmeName}}: det er en stund siden det ble registrert kontakt. Husk å registrere aktiviteten i appen etterpå.</p>
${button('assignmentUrl', 'Åpne i appen')}
<p style="${S.p}">Dette er påminnelse nummer {{sequence}}.{{#if lastReminder}} Det er den siste: du får ingen flere påminnelser om {{contactFirstName}} før det er registrert kontakt.{{/if}}{{#if coordinatorInformed}} Koordinatoren din har også fått beskjed.{{/if}}</p>
`,
      MENTOR_FOOTER.nb.html,
    ),
  },
  en: {
    subject: '{{#if lastReminder}}Last reminder: you have a contact to follow up{{else}}You have a contact to follow up today{{/if}}',
    text: `${greeting('en', 'mentorFirstName')}

It is time to get in touch with {{contactFirstName}} in {{programmeName}}: no contact has been registered for a while. Remember to register the activity in the app afterwards.

Open in the app: {{assignmentUrl}}

This is reminder number {{sequence}}.{{#if lastReminder}} It is the last one: you will not be reminded about {{contactFirstName}} again until contact is registered.{{/if}}{{#if coordinatorInformed}} Your coordinator has been told as well.{{/if}}
${MENTOR_FOOTER.en.text}`,
    html: emailDocument(
      `
<h1 style="${S.h1}">{{#if lastReminder}}Last reminder{{else}}Time to get in touch{{/if}}</h1>
<p style="${S.p}">${greeting('en', 'mentorFirstName')}</p>
<p style="${S.p}">It is time to get in touch with <strong>{{contactFirstName}}</strong> in {{programmeName}}: no contact has been registered for a while. Remember to register the activity in the app afterwards.</p>
${button('assignmentUrl', 'Open in the app')}
<p style="${S.p}">This is reminder number {{sequence}}.{{#if lastReminder}} It is the last one: you will not be reminded about {{contactFirstName}} again until contact is registered.{{/if}}{{#if coordinatorInformed}} Your coordinator has been told as well.{{/if}}</p>
`,
      MENTOR_FOOTER.en.html,
    ),
  },
});

export function renderReminderEmail(p: ReminderEmailInput): RenderedEmail {
  return render(p.locale, {
    mentorFirstName: firstNameOf(p.mentorName),
    contactFirstName: contactFirstName(p.item.contactName, p.locale),
    programmeName: p.programmeName,
    sequence: formatNumber(p.item.sequenceNumber, p.locale),
    lastReminder: p.item.lastReminder,
    coordinatorInformed: p.coordinatorInformed,
    assignmentUrl: checkedUrl(p.item.assignmentUrl, 'assignmentUrl'),
    unsubscribeUrl: checkedUrl(p.unsubscribeUrl, 'unsubscribeUrl'),
    preferencesUrl: checkedUrl(p.preferencesUrl, 'preferencesUrl'),
  });
}
