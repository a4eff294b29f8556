/** The first line of every e-mail: "Hei Kari," with a first name, "Hei," without one. */
import type { Locale } from './locale';

/** Source of the greeting, reading the first name from `field`. */
export function greeting(locale: Locale, field: string): string {
  const hi = locale === 'nb' ? 'Hei' : 'Hi';
  return `{{#if ${field}}}${hi} {{${field}}},{{else}}${hi},{{/if}}`;
}
