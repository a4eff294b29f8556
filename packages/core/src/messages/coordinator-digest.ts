/**
 * A coordinator's daily digest: the escalations, then the reminders covered for mentors who are
 * away, each by first names with its link. `followUp` is a later part of the same day.
 */
import { emailDocument, S } from './layout';
import { emailTemplates, type RenderedEmail } from './engine';
import { COORDINATOR_FOOTER } from './footers';
import { greeting } from './greeting';
import { formatLocalDate, formatNumber } from './formatting';
import { firstNameOf } from './names';
import { coordinatorLine, type CoordinatorItem, type CoordinatorLine } from './coordinator-email';
import type { Locale } from './locale';

export type CoordinatorDigestInput = { locale: Locale; coordinatorName: string; programmeName: string; localDate: string; items: CoordinatorItem[]; followUp: boolean };

type View = {
  coordinatorFirstName: string;
  programmeName: string;
  date: string;
  count: string;
  one: boolean;
  followUp: boolean;
  escalations: CoordinatorLine[];
  covered: CoordinatorLine[];
};

const NB = {
  intro:
    '{{#if followUp}}Siden forrige e-post i dag har det kommet til {{#if one}}én kontakt{{else}}{{count}} kontakter{{/if}} som trenger oppfølging fra deg i {{programmeName}} ({{date}}).' +
    '{{else}}{{#if one}}Én kontakt{{else}}{{count}} kontakter{{/if}} i {{programmeName}} trenger oppfølging fra deg i dag, {{date}}.{{/if}}',
  escalationsTitle: 'Eskaleringer',
  escalations: 'Mentoren har fått flere påminnelser, og det er ikke registrert kontakt.',
  escalation: 'mentor {{mentorFirstName}}, påminnelse {{sequence}}{{#if lastReminder}}, den siste: følg opp saken{{/if}}',
  coveredTitle: 'Mentorer som er borte',
  covered: 'Ta kontakt selv eller be noen andre gjøre det, og registrer aktiviteten i appen.',
  cover: 'mens {{mentorFirstName}} er borte, påminnelse {{sequence}}{{#if lastReminder}}, den siste{{/if}}',
};
const EN = {
  intro:
    '{{#if followUp}}Since the earlier e-mail today, {{#if one}}one more contact needs{{else}}{{count}} more contacts need{{/if}} your follow-up in {{programmeName}} ({{date}}).' +
    '{{else}}In {{programmeName}}, {{#if one}}one contact needs{{else}}{{count}} contacts need{{/if}} your follow-up today, {{date}}.{{/if}}',
  escalationsTitle: 'Escalations',
  escalations: 'The mentor has been reminded several times, and no contact has been registered.',
  escalation: 'mentor {{mentorFirstName}}, reminder {{sequence}}{{#if lastReminder}}, the last one: please follow up{{/if}}',
  coveredTitle: 'Mentors who are away',
  covered: 'Please get in touch yourself or ask someone else to, and register the activity in the app.',
  cover: 'while {{mentorFirstName}} is away, reminder {{sequence}}{{#if lastReminder}}, the last one{{/if}}',
};

const text = (l: typeof NB, hi: string, footer: string) => `${hi}

${l.intro}

{{#if escalations.length}}
${l.escalationsTitle}
${l.escalations}
{{#each escalations}}
- {{contactFirstName}} (${l.escalation}): {{assignmentUrl}}
{{/each}}

{{/if}}
{{#if covered.length}}
${l.coveredTitle}
${l.covered}
{{#each covered}}
- {{contactFirstName}} (${l.cover}): {{assignmentUrl}}
{{/each}}
{{/if}}
${footer}`;

const list = (field: string, line: string) => `<ul style="${S.ul}">
{{#each ${field}}}
<li style="${S.li}"><a href="{{assignmentUrl}}" style="${S.link}">{{contactFirstName}}</a>: ${line}</li>
{{/each}}
</ul>`;

const html = (l: typeof NB, h: { title: string; followUpTitle: string }, hi: string, footer: string) =>
  emailDocument(
    `
<h1 style="${S.h1}">{{#if followUp}}${h.followUpTitle}{{else}}${h.title}{{/if}}</h1>
<p style="${S.p}">${hi}</p>
<p style="${S.p}">${l.intro}</p>
{{#if escalations.length}}
<h2 style="${S.h2}">${l.escalationsTitle}</h2>
<p style="${S.p}">${l.escalations}</p>
${list('escalations', l.escalation)}
{{/if}}
{{#if covered.length}}
<h2 style="${S.h2}">${l.coveredTitle}</h2>
<p style="${S.p}">${l.covered}</p>
${list('covered', l.cover)}
{{/if}}
`,
    footer,
  );

const render = emailTemplates<View>({
  nb: {
    subject: '{{#if followUp}}I tillegg: {{/if}}{{count}} {{#if one}}kontakt{{else}}kontakter{{/if}} trenger oppfølging fra deg i dag',
    text: text(NB, greeting('nb', 'coordinatorFirstName'), COORDINATOR_FOOTER.nb.text),
    html: html(NB, { title: 'Oppfølging i dag', followUpTitle: 'Mer oppfølging i dag' }, greeting('nb', 'coordinatorFirstName'), COORDINATOR_FOOTER.nb.html),
  },
  en: {
    subject: '{{count}} {{#if followUp}}more {{/if}}{{#if one}}contact needs{{else}}contacts need{{/if}} your follow-up today',
    text: text(EN, greeting('en', 'coordinatorFirstName'), COORDINATOR_FOOTER.en.text),
    html: html(EN, { title: 'Follow-up today', followUpTitle: 'More follow-up today' }, greeting('en', 'coordinatorFirstName'), COORDINATOR_FOOTER.en.html),
  },
});

export function renderCoordinatorDigest(p: CoordinatorDigestInput): RenderedEmail {
  if (p.items.length === 0) throw new RangeError('a digest lists at least one reminder');
  const of = (reason: CoordinatorItem['reason']) => p.items.filter((i) => i.reason === reason).map((i) => coordinatorLine(i, p.locale));
  return render(p.locale, {
    coordinatorFirstName: firstNameOf(p.coordinatorName),
    programmeName: p.programmeName,
    date: formatLocalDate(p.localDate, p.locale),
    count: formatNumber(p.items.length, p.locale),
    one: p.items.length === 1,
    followUp: p.followUp,
    escalations: of('escalated'),
    covered: of('covered'),
  });
}
