/**
 * Told once to a mentor's coordinator when the mentor's address hard-bounced or complained:
 * e-mail to it stops and the reminders go on in the app only. The address itself is not in the
 * message (the link leads to it).
 */
import { emailDocument, button, S } from './layout';
import { emailTemplates, type RenderedEmail } from './engine';
import { NOTICE_FOOTER } from './footers';
import { greeting } from './greeting';
import { checkedUrl } from './formatting';
import { firstNameOf, mentorFirstName } from './names';
import type { Locale } from './locale';

export type UndeliverableNoticeInput = { locale: Locale; coordinatorName: string; mentorName: string; reason: 'hard_bounce' | 'complaint'; mentorUrl: string };

type View = { coordinatorFirstName: string; mentorFirstName: string; complaint: boolean; mentorUrl: string };

const NB = {
  what: '{{#if complaint}}En påminnelse på e-post til {{mentorFirstName}} er meldt som søppelpost.{{else}}E-post til {{mentorFirstName}} kommer ikke fram: mottakerens e-postserver har avvist adressen permanent.{{/if}}',
  so: 'Vi har sluttet å sende e-post til denne adressen. Påminnelsene til {{mentorFirstName}} vises fortsatt i appen, så ingenting går tapt.',
  ask: '{{#if complaint}}Hør med {{mentorFirstName}} om påminnelser på e-post fortsatt er ønsket, og rett adressen om nødvendig.{{else}}Sjekk e-postadressen med {{mentorFirstName}}, og rett den om nødvendig.{{/if}}',
  open: 'Åpne mentoren i appen',
};
const EN = {
  what: '{{#if complaint}}A reminder e-mail to {{mentorFirstName}} has been reported as spam.{{else}}E-mail to {{mentorFirstName}} cannot be delivered: the receiving mail server has rejected the address permanently.{{/if}}',
  so: 'We have stopped sending e-mail to this address. Reminders for {{mentorFirstName}} are still shown in the app, so nothing is lost.',
  ask: '{{#if complaint}}Please check with {{mentorFirstName}} whether reminders by e-mail are still wanted, and correct the address if needed.{{else}}Please check the e-mail address with {{mentorFirstName}} and correct it if needed.{{/if}}',
  open: 'Open the mentor in the app',
};

const text = (l: typeof NB, locale: Locale) => `${greeting(locale, 'coordinatorFirstName')}

${l.what}

${l.so}

${l.ask}

${l.open}: {{mentorUrl}}
${NOTICE_FOOTER[locale].text}`;

const html = (l: typeof NB, locale: Locale, title: string) =>
  emailDocument(
    `
<h1 style="${S.h1}">${title}</h1>
<p style="${S.p}">${greeting(locale, 'coordinatorFirstName')}</p>
<p style="${S.p}">${l.what}</p>
<p style="${S.p}">${l.so}</p>
<p style="${S.p}">${l.ask}</p>
${button('mentorUrl', l.open)}
`,
    NOTICE_FOOTER[locale].html,
  );

const render = emailTemplates<View>({
  nb: {
    subject: '{{#if complaint}}En mentor har meldt påminnelser på e-post som søppelpost{{else}}E-post til en mentor kommer ikke fram{{/if}}',
    text: text(NB, 'nb'),
    html: html(NB, 'nb', '{{#if complaint}}Meldt som søppelpost{{else}}E-post kommer ikke fram{{/if}}'),
  },
  en: {
    subject: '{{#if complaint}}A mentor has reported reminder e-mail as spam{{else}}E-mail to a mentor cannot be delivered{{/if}}',
    text: text(EN, 'en'),
    html: html(EN, 'en', '{{#if complaint}}Reported as spam{{else}}E-mail cannot be delivered{{/if}}'),
  },
});

export function renderUndeliverableNotice(p: UndeliverableNoticeInput): RenderedEmail {
  return render(p.locale, {
    coordinatorFirstName: firstNameOf(p.coordinatorName),
    mentorFirstName: mentorFirstName(p.mentorName, p.locale),
    complaint: p.reason === 'complaint',
    mentorUrl: checkedUrl(p.mentorUrl, 'mentorUrl'),
  });
}
