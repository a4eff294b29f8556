/**
 * The in-app texts of every locale as one JSON parameter of the reminder write statement, which
 * renders them with PostgreSQL's format() (reminder-write-sql.ts): the same catalogue as the
 * e-mails, without a round trip per notification.
 */
import { LOCALES, inAppFormats } from './index';

let catalog: string | null = null;

export function inAppCatalog(): string {
  catalog ??= JSON.stringify(Object.fromEntries(LOCALES.map((l) => [l, inAppFormats(l)])));
  return catalog;
}
