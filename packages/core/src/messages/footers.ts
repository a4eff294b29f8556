/**
 * Why the reader gets the message, and for a mentor's reminders how to stop them: every reminder
 * e-mail to a mentor carries the one-click unsubscribe link and the preferences link in sight, not
 * only in the List-Unsubscribe header. Escalations to coordinators cannot be turned off, and say so.
 */
import type { Locale } from './locale';
import { S } from './layout';

export type Footer = { text: string; html: string };

/** Needs `programmeName`, `unsubscribeUrl`, `preferencesUrl`. */
export const MENTOR_FOOTER: Record<Locale, Footer> = {
  nb: {
    text: `
-- 
Du får denne e-posten fordi du er mentor i {{programmeName}}. Påminnelsene ligger alltid i appen også.
Slå av påminnelser på e-post: {{unsubscribeUrl}}
Innstillinger for e-post: {{preferencesUrl}}
`,
    html: `
<p style="margin:0 0 8px;">Du får denne e-posten fordi du er mentor i {{programmeName}}. Påminnelsene ligger alltid i appen også.</p>
<p style="margin:0;"><a href="{{unsubscribeUrl}}" style="${S.link}">Slå av påminnelser på e-post</a> · <a href="{{preferencesUrl}}" style="${S.link}">Innstillinger for e-post</a></p>
`,
  },
  en: {
    text: `
-- 
You get this e-mail because you are a mentor in {{programmeName}}. Your reminders are always in the app as well.
Turn off reminder e-mails: {{unsubscribeUrl}}
E-mail preferences: {{preferencesUrl}}
`,
    html: `
<p style="margin:0 0 8px;">You get this e-mail because you are a mentor in {{programmeName}}. Your reminders are always in the app as well.</p>
<p style="margin:0;"><a href="{{unsubscribeUrl}}" style="${S.link}">Turn off reminder e-mails</a> · <a href="{{preferencesUrl}}" style="${S.link}">E-mail preferences</a></p>
`,
  },
};

/** Needs `programmeName`. */
export const COORDINATOR_FOOTER: Record<Locale, Footer> = {
  nb: {
    text: `
-- 
Du får denne e-posten fordi du er koordinator i {{programmeName}}. Eskaleringer og påminnelser for mentorer som er borte, sendes alltid på e-post og kan ikke slås av.
`,
    html: `
<p style="margin:0;">Du får denne e-posten fordi du er koordinator i {{programmeName}}. Eskaleringer og påminnelser for mentorer som er borte, sendes alltid på e-post og kan ikke slås av.</p>
`,
  },
  en: {
    text: `
-- 
You get this e-mail because you are a coordinator in {{programmeName}}. Escalations and reminders for mentors who are away are always sent by e-mail and cannot be turned off.
`,
    html: `
<p style="margin:0;">You get this e-mail because you are a coordinator in {{programmeName}}. Escalations and reminders for mentors who are away are always sent by e-mail and cannot be turned off.</p>
`,
  },
};

/** Needs nothing: the notice about a mentor's address names no programme. */
export const NOTICE_FOOTER: Record<Locale, Footer> = {
  nb: {
    text: `
-- 
Du får denne e-posten fordi du er koordinator for mentoren. Du får beskjeden bare én gang for denne adressen.
`,
    html: `
<p style="margin:0;">Du får denne e-posten fordi du er koordinator for mentoren. Du får beskjeden bare én gang for denne adressen.</p>
`,
  },
  en: {
    text: `
-- 
You get this e-mail because you are the mentor's coordinator. You are told this only once for this address.
`,
    html: `
<p style="margin:0;">You get this e-mail because you are the mentor's coordinator. You are told this only once for this address.</p>
`,
  },
};
