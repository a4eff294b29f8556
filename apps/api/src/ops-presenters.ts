/** Operations results (camelCase, Dates, bigint) to the API's JSON (snake_case, ISO strings). */
// The same conversion the CLI's --json uses (one definition, so they cannot drift).
import { toJson } from '@reminders/core/json-case';
export { toJson };
