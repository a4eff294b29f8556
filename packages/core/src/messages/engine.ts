/**
 * Handlebars, set up once for every message. Templates are TypeScript string constants (the build
 * bundles the sources into one file, so there is no template directory to read at run time) and
 * are compiled on first use. Values are only ever data: a name that looks like markup or like a
 * template (`<script>`, `{{constructor}}`) is escaped in HTML and printed as it is in text, never
 * compiled. `strict` makes a template that names a field its view lacks throw instead of quietly
 * printing nothing; `knownHelpersOnly` leaves the built-in helpers only.
 */
import Handlebars from 'handlebars';
import type { Locale } from './locale';

const hb = Handlebars.create();

/** The Handlebars sources of one e-mail in one language. */
export type EmailSource = { subject: string; text: string; html: string };
export type RenderedEmail = { subject: string; text: string; html: string };
type Compiled<V> = (view: V) => string;

const HTML_OPTIONS: CompileOptions = { strict: true, knownHelpersOnly: true };
const TEXT_OPTIONS: CompileOptions = { strict: true, knownHelpersOnly: true, noEscape: true };

/** A template compiled on first use, with HTML escaping on (`html`) or off (`text`: plain text and subjects). */
export function template<V>(source: string, kind: 'html' | 'text'): Compiled<V> {
  let compiled: HandlebarsTemplateDelegate<V> | undefined;
  return (view) => {
    compiled ??= hb.compile<V>(source, kind === 'html' ? HTML_OPTIONS : TEXT_OPTIONS);
    return compiled(view);
  };
}

/** What every HTML document is given besides its view: its language and its subject (the title). */
export type DocumentFields = { lang: Locale; subject: string };

/** One compiled e-mail (subject, text body, HTML body) per locale. */
export function emailTemplates<V>(sources: Record<Locale, EmailSource>): (locale: Locale, view: V) => RenderedEmail {
  const compiled = {} as Record<Locale, { subject: Compiled<V>; text: Compiled<V>; html: Compiled<V & DocumentFields> }>;
  for (const [locale, s] of Object.entries(sources) as [Locale, EmailSource][]) {
    compiled[locale] = { subject: template<V>(s.subject, 'text'), text: template<V>(s.text, 'text'), html: template<V & DocumentFields>(s.html, 'html') };
  }
  return (locale, view) => {
    const c = compiled[locale];
    if (!c) throw new RangeError(`no template for locale ${JSON.stringify(locale)}`);
    const subject = oneLine(c.subject(view));
    return { subject, text: tidyText(c.text(view)), html: c.html({ ...view, subject, lang: locale }) };
  };
}

/** A subject is one header line: no line breaks (header injection), no runs of spaces. */
export const oneLine = (s: string): string => s.replace(/\s+/gu, ' ').trim();

/**
 * Plain text without trailing spaces (but the signature separator keeps its "-- "), at most one
 * blank line in a row, ending in one newline.
 */
export const tidyText = (s: string): string =>
  `${s
    .replace(/(?<!^--)[ \t]+$/gmu, '')
    .replace(/\n{3,}/gu, '\n\n')
    .trim()}\n`;
