/**
 * The page behind the one-click unsubscribe link (GET /v1/unsubscribe/{token}) and its answers.
 * GET only shows a confirm button: mail scanners and link previews follow GET links, and must not
 * turn anybody's e-mail off. The button POSTs the RFC 8058 body (`List-Unsubscribe=One-Click`),
 * so the page and a mail client's one-click request reach the same handler.
 */
import { template } from './engine';
import { pageDocument, S } from './layout';
import { checkedUrl } from './formatting';
import type { Locale } from './locale';

export type UnsubscribePageState = 'confirm' | 'done' | 'expired' | 'invalid';
export type UnsubscribePageInput = { locale: Locale; state: UnsubscribePageState; postUrl?: string; preferencesUrl?: string };

type View = { lang: Locale; title: string; postUrl: string; preferencesUrl: string };
type Copy = { title: string; body: string };

const prefs = (withLink: string, without: string) => `{{#if preferencesUrl}}${withLink}{{else}}${without}{{/if}}`;
const link = (label: string) => `<a href="{{preferencesUrl}}" style="${S.link}">${label}</a>`;
const form = (label: string) => `<form method="post" action="{{postUrl}}" style="margin:24px 0;">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" style="${S.button}border:0;font-size:16px;cursor:pointer;">${label}</button>
</form>`;

const COPY: Record<Locale, Record<UnsubscribePageState, Copy>> = {
  nb: {
    confirm: {
      title: 'Slå av påminnelser på e-post?',
      body: `<p style="${S.p}">Du får ikke lenger påminnelser på e-post. Påminnelsene ligger fortsatt i appen, og koordinatoren din får fortsatt beskjed når en kontakt trenger oppfølging.</p>
${form('Slå av påminnelser på e-post')}
${prefs(`<p style="${S.p}">Vil du heller endre noe annet? ${link('Gå til innstillingene for e-post')}.</p>`, '')}`,
    },
    done: {
      title: 'Påminnelser på e-post er slått av',
      body: `<p style="${S.p}">Du får ikke flere påminnelser på e-post. Påminnelsene ligger fortsatt i appen.</p>
<p style="${S.p}">${prefs(`Du kan slå på e-post igjen i ${link('innstillingene for e-post')}.`, 'Du kan slå på e-post igjen i innstillingene i appen.')}</p>`,
    },
    expired: {
      title: 'Lenken er utløpt',
      body: `<p style="${S.p}">Lenker for å slå av e-post virker bare en begrenset tid. Bruk lenken i en nyere påminnelse, eller slå av e-post i ${prefs(link('innstillingene for e-post'), 'innstillingene i appen')}.</p>`,
    },
    invalid: {
      title: 'Lenken virker ikke',
      body: `<p style="${S.p}">Lenken kan være ufullstendig: sjekk at du åpnet hele lenken fra e-posten. Du kan også slå av e-post i ${prefs(link('innstillingene for e-post'), 'innstillingene i appen')}.</p>`,
    },
  },
  en: {
    confirm: {
      title: 'Turn off reminder e-mails?',
      body: `<p style="${S.p}">You will no longer get reminders by e-mail. Your reminders stay in the app, and your coordinator is still told when a contact needs follow-up.</p>
${form('Turn off reminder e-mails')}
${prefs(`<p style="${S.p}">Want to change something else instead? ${link('Go to your e-mail preferences')}.</p>`, '')}`,
    },
    done: {
      title: 'Reminder e-mails are turned off',
      body: `<p style="${S.p}">You will not get reminders by e-mail any more. Your reminders are still in the app.</p>
<p style="${S.p}">${prefs(`You can turn e-mail on again in your ${link('e-mail preferences')}.`, 'You can turn e-mail on again in your preferences in the app.')}</p>`,
    },
    expired: {
      title: 'This link has expired',
      body: `<p style="${S.p}">Links to turn off e-mail work for a limited time only. Use the link in a newer reminder, or turn e-mail off in your ${prefs(link('e-mail preferences'), 'preferences in the app')}.</p>`,
    },
    invalid: {
      title: 'This link does not work',
      body: `<p style="${S.p}">The link may be incomplete: check that you opened the whole link from the e-mail. You can also turn e-mail off in your ${prefs(link('e-mail preferences'), 'preferences in the app')}.</p>`,
    },
  },
};

const pages = Object.fromEntries(
  Object.entries(COPY).map(([locale, states]) => [
    locale,
    Object.fromEntries(Object.entries(states).map(([state, c]) => [state, template<View>(pageDocument(`<h1 style="${S.h1}">{{title}}</h1>\n${c.body}`), 'html')])),
  ]),
) as Record<Locale, Record<UnsubscribePageState, (v: View) => string>>;

/** A whole small HTML document. `postUrl` is required to confirm (absolute, or a path on this API). */
export function renderUnsubscribePage(p: UnsubscribePageInput): string {
  const page = pages[p.locale]?.[p.state];
  if (!page) throw new RangeError(`no unsubscribe page for ${JSON.stringify(p.locale)} / ${JSON.stringify(p.state)}`);
  if (p.state === 'confirm' && !p.postUrl) throw new RangeError('the confirm page needs postUrl');
  return page({
    lang: p.locale,
    title: COPY[p.locale][p.state].title,
    postUrl: p.postUrl ? checkedUrl(p.postUrl, 'postUrl', { path: true }) : '',
    preferencesUrl: p.preferencesUrl ? checkedUrl(p.preferencesUrl, 'preferencesUrl') : '',
  });
}
