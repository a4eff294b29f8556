/**
 * A mentor's daily digest (programme delivery `digest`): every reminder due today in one e-mail,
 * each contact by first name with its link. `followUp` is a later part of the same day (reminders
 * written after the first part went out), worded as "more", so it never reads as a repeat.
 */
import { emailDocument, S } from './layout';
import { emailTemplates, type RenderedEmail } from './engine';
import { MENTOR_FOOTER } from './footers';
import { greeting } from './greeting';
import { checkedUrl, formatLocalDate, formatNumber } from './formatting';
import { contactFirstName, firstNameOf } from './names';
import type { Locale } from './locale';
import type { ReminderItem } from './mentor-reminder';

export type MentorDigestInput = {
  locale: Locale;
  mentorName: string;
  programmeName: string;
  /** The programme's local date the digest is for, YYYY-MM-DD. */
  localDate: string;
  items: ReminderItem[];
  followUp: boolean;
  unsubscribeUrl: string;
  preferencesUrl: string;
};

type Line = { contactFirstName: string; sequence: string; escalated: boolean; lastReminder: boolean; assignmentUrl: string };
type View = {
  mentorFirstName: string;
  programmeName: string;
  date: string;
  count: string;
  one: boolean;
  followUp: boolean;
  anyLast: boolean;
  items: Line[];
  unsubscribeUrl: string;
  preferencesUrl: string;
};

const NB_LINE = 'påminnelse {{sequence}}{{#if escalated}}, koordinatoren din har også fått beskjed{{/if}}{{#if lastReminder}}, siste påminnelse{{/if}}';
const EN_LINE = 'reminder {{sequence}}{{#if escalated}}, your coordinator has been told as well{{/if}}{{#if lastReminder}}, last reminder{{/if}}';

const NB_INTRO =
  '{{#if followUp}}Siden forrige e-post i dag har det kommet til {{#if one}}én kontakt{{else}}{{count}} kontakter{{/if}} du bør følge opp i {{programmeName}} ({{date}}):' +
  '{{else}}Du har {{#if one}}én kontakt{{else}}{{count}} kontakter{{/if}} å følge opp i {{programmeName}} i dag, {{date}}:{{/if}}';
const EN_INTRO =
  '{{#if followUp}}Since the earlier e-mail today, you have {{#if one}}one more contact{{else}}{{count}} more contacts{{/if}} to follow up in {{programmeName}} ({{date}}):' +
  '{{else}}You have {{#if one}}one contact{{else}}{{count}} contacts{{/if}} to follow up in {{programmeName}} today, {{date}}:{{/if}}';

const NB_OUTRO = 'Husk å registrere aktiviteten i appen etterpå.{{#if anyLast}} Etter siste påminnelse får du ingen flere påminnelser om den kontakten før det er registrert kontakt.{{/if}}';
const EN_OUTRO = 'Remember to register the activity in the app afterwards.{{#if anyLast}} After a last reminder you are not reminded about that contact again until contact is registered.{{/if}}';

const render = emailTemplates<View>({
  nb: {
    subject: '{{#if followUp}}I tillegg: {{count}} {{#if one}}kontakt{{else}}kontakter{{/if}} å følge opp i dag{{else}}Du har {{count}} {{#if one}}kontakt{{else}}kontakter{{/if}} å følge opp i dag{{/if}}',
    text: `${greeting('nb', 'mentorFirstName')}

${NB_INTRO}

{{#each items}}
- {{contactFirstName}} (${NB_LINE}): {{assignmentUrl}}
{{/each}}

${NB_OUTRO}
${MENTOR_FOOTER.nb.text}`,
    html: emailDocument(
      `
<h1 style="${S.h1}">{{#if followUp}}Flere kontakter å følge opp i dag{{else}}Kontakter å følge opp i dag{{/if}}</h1>
<p style="${S.p}">${greeting('nb', 'mentorFirstName')}</p>
<p style="${S.p}">${NB_INTRO}</p>
<ul style="${S.ul}">
{{#each items}}
<li style="${S.li}"><a href="{{assignmentUrl}}" style="${S.link}">{{contactFirstName}}</a>: ${NB_LINE}</li>
{{/each}}
</ul>
<p style="${S.p}">${NB_OUTRO}</p>
`,
      MENTOR_FOOTER.nb.html,
    ),
  },
  en: {
    subject: '{{#if followUp}}You have {{count}} more {{#if one}}contact{{else}}contacts{{/if}} to follow up today{{else}}You have {{count}} {{#if one}}contact{{else}}contacts{{/if}} to follow up today{{/if}}',
    text: `${greeting('en', 'mentorFirstName')}

${EN_INTRO}

{{#each items}}
- {{contactFirstName}} (${EN_LINE}): {{assignmentUrl}}
{{/each}}

${EN_OUTRO}
${MENTOR_FOOTER.en.text}`,
    html: emailDocument(
      `
<h1 style="${S.h1}">{{#if followUp}}More contacts to follow up today{{else}}Contacts to follow up today{{/if}}</h1>
<p style="${S.p}">${greeting('en', 'mentorFirstName')}</p>
<p style="${S.p}">${EN_INTRO}</p>
<ul style="${S.ul}">
{{#each items}}
<li style="${S.li}"><a href="{{assignmentUrl}}" style="${S.link}">{{contactFirstName}}</a>: ${EN_LINE}</li>
{{/each}}
</ul>
<p style="${S.p}">${EN_OUTRO}</p>
`,
      MENTOR_FOOTER.en.html,
    ),
  },
});

export function renderMentorDigest(p: MentorDigestInput): RenderedEmail {
  if (p.items.length === 0) throw new RangeError('a digest lists at least one reminder');
  return render(p.locale, {
    mentorFirstName: firstNameOf(p.mentorName),
    programmeName: p.programmeName,
    date: formatLocalDate(p.localDate, p.locale),
    count: formatNumber(p.items.length, p.locale),
    one: p.items.length === 1,
    followUp: p.followUp,
    anyLast: p.items.some((i) => i.lastReminder),
    items: p.items.map((i) => ({
      contactFirstName: contactFirstName(i.contactName, p.locale),
      sequence: formatNumber(i.sequenceNumber, p.locale),
      escalated: i.escalated,
      lastReminder: i.lastReminder,
      assignmentUrl: checkedUrl(i.assignmentUrl, 'assignmentUrl'),
    })),
    unsubscribeUrl: checkedUrl(p.unsubscribeUrl, 'unsubscribeUrl'),
    preferencesUrl: checkedUrl(p.preferencesUrl, 'preferencesUrl'),
  });
}
