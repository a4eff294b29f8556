/**
 * One message to a coordinator (programme delivery `each`): an escalation (the mentor has been
 * reminded `escalate_after` times or more; `lastReminder` when the stop rule is reached) or a
 * reminder covered because the mentor is away (absence policy `cover`). Mentor and contact by
 * first name, neither in the subject.
 */
import { emailDocument, button, S } from './layout';
import { emailTemplates, type RenderedEmail } from './engine';
import { COORDINATOR_FOOTER } from './footers';
import { greeting } from './greeting';
import { checkedUrl, formatNumber } from './formatting';
import { contactFirstName, firstNameOf, mentorFirstName } from './names';
import type { Locale } from './locale';

export type CoordinatorItem = { mentorName: string; contactName: string; sequenceNumber: number; reason: 'escalated' | 'covered'; lastReminder: boolean; assignmentUrl: string };

export type CoordinatorEmailInput = { locale: Locale; coordinatorName: string; programmeName: string; item: CoordinatorItem };

/** What a template says about one coordinator item, shared with the digest. */
export type CoordinatorLine = { mentorFirstName: string; contactFirstName: string; sequence: string; lastReminder: boolean; assignmentUrl: string };
type View = CoordinatorLine & { coordinatorFirstName: string; programmeName: string; escalated: boolean };

export function coordinatorLine(item: CoordinatorItem, locale: Locale): CoordinatorLine {
  return {
    mentorFirstName: mentorFirstName(item.mentorName, locale),
    contactFirstName: contactFirstName(item.contactName, locale),
    sequence: formatNumber(item.sequenceNumber, locale),
    lastReminder: item.lastReminder,
    assignmentUrl: checkedUrl(item.assignmentUrl, 'assignmentUrl'),
  };
}

const NB_BODY =
  '{{#if escalated}}Påminnelse nummer {{sequence}} om å ta kontakt med {{contactFirstName}} i {{programmeName}} er nå sendt til {{mentorFirstName}}, og det er ikke registrert kontakt ennå.' +
  '{{#if lastReminder}} Det var den siste: {{mentorFirstName}} får ingen flere påminnelser om {{contactFirstName}} før det er registrert kontakt. Følg opp saken.{{else}} Det kan være lurt å høre med {{mentorFirstName}} hvordan det går.{{/if}}' +
  '{{else}}Mens {{mentorFirstName}} er borte, går denne påminnelsen til deg: det er på tide å ta kontakt med {{contactFirstName}} i {{programmeName}} (påminnelse nummer {{sequence}}). Ta kontakt selv eller be noen andre gjøre det, og registrer aktiviteten i appen.' +
  '{{#if lastReminder}} Dette er siste påminnelse: ingen får flere påminnelser om {{contactFirstName}} før det er registrert kontakt.{{/if}}{{/if}}';
const EN_BODY =
  '{{#if escalated}}Reminder number {{sequence}} to get in touch with {{contactFirstName}} in {{programmeName}} has now gone to {{mentorFirstName}}, and no contact has been registered yet.' +
  '{{#if lastReminder}} It was the last one: {{mentorFirstName}} will not be reminded about {{contactFirstName}} again until contact is registered. Please follow up.{{else}} You may want to check in with {{mentorFirstName}}.{{/if}}' +
  '{{else}}While {{mentorFirstName}} is away, this reminder comes to you: it is time to get in touch with {{contactFirstName}} in {{programmeName}} (reminder number {{sequence}}). Please get in touch yourself or ask someone else to, and register the activity in the app.' +
  '{{#if lastReminder}} This is the last reminder: nobody is reminded about {{contactFirstName}} again until contact is registered.{{/if}}{{/if}}';

const render = emailTemplates<View>({
  nb: {
    subject:
      '{{#if escalated}}{{#if lastReminder}}Siste påminnelse er sendt: en kontakt trenger oppfølging fra deg{{else}}Eskalering: en kontakt venter fortsatt på oppfølging{{/if}}' +
      '{{else}}{{#if lastReminder}}En mentor er borte: siste påminnelse for en kontakt{{else}}En mentor er borte: en kontakt å følge opp i dag{{/if}}{{/if}}',
    text: `${greeting('nb', 'coordinatorFirstName')}

${NB_BODY}

Åpne i appen: {{assignmentUrl}}
${COORDINATOR_FOOTER.nb.text}`,
    html: emailDocument(
      `
<h1 style="${S.h1}">{{#if escalated}}{{#if lastReminder}}Siste påminnelse er sendt{{else}}Eskalering{{/if}}{{else}}En mentor er borte{{/if}}</h1>
<p style="${S.p}">${greeting('nb', 'coordinatorFirstName')}</p>
<p style="${S.p}">${NB_BODY}</p>
${button('assignmentUrl', 'Åpne i appen')}
`,
      COORDINATOR_FOOTER.nb.html,
    ),
  },
  en: {
    subject:
      '{{#if escalated}}{{#if lastReminder}}Last reminder sent: a contact needs your follow-up{{else}}Escalation: a contact is still waiting for follow-up{{/if}}' +
      '{{else}}{{#if lastReminder}}A mentor is away: last reminder for a contact{{else}}A mentor is away: a contact to follow up today{{/if}}{{/if}}',
    text: `${greeting('en', 'coordinatorFirstName')}

${EN_BODY}

Open in the app: {{assignmentUrl}}
${COORDINATOR_FOOTER.en.text}`,
    html: emailDocument(
      `
<h1 style="${S.h1}">{{#if escalated}}{{#if lastReminder}}Last reminder sent{{else}}Escalation{{/if}}{{else}}A mentor is away{{/if}}</h1>
<p style="${S.p}">${greeting('en', 'coordinatorFirstName')}</p>
<p style="${S.p}">${EN_BODY}</p>
${button('assignmentUrl', 'Open in the app')}
`,
      COORDINATOR_FOOTER.en.html,
    ),
  },
});

export function renderCoordinatorEmail(p: CoordinatorEmailInput): RenderedEmail {
  return render(p.locale, {
    ...coordinatorLine(p.item, p.locale),
    coordinatorFirstName: firstNameOf(p.coordinatorName),
    programmeName: p.programmeName,
    escalated: p.item.reason === 'escalated',
  });
}
