/** Regex patterns the schemas use, and what each means in words for a problem's `errors`. */
import { SEND_AT_PATTERN, SLUG_PATTERN } from '@reminders/core/domain/programme';

/** Text without control characters or lone surrogates (Postgres refuses NUL; surrogates would be mangled). */
export const SAFE_TEXT = '^[^\\p{Cc}\\p{Cs}]*$';
/** Like SAFE_TEXT but with at least one non-space character. */
export const SAFE_NONBLANK = '^[^\\p{Cc}\\p{Cs}]*[^\\p{Cc}\\p{Cs}\\s][^\\p{Cc}\\p{Cs}]*$';
/** Free text that may span lines: tabs and newlines allowed, other control characters not. */
export const SAFE_MULTILINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\p{Cs}]*$';

export const ID_PATTERN = '^[1-9][0-9]{0,9}$';
export const CLIENT_ID_PATTERN = '^[A-Za-z0-9._:-]{1,100}$';
/** Visible ASCII only: header values travel through proxies that mangle anything else. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7E]{1,200}$';
export const TOKEN_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$';
/** An e-mail address as delivery feedback needs it: something@something, no spaces or controls. */
export const EMAIL_PATTERN = '^[^\\s@\\p{Cc}]+@[^\\s@\\p{Cc}]+$';

/** What a failed `pattern` means, in words (the problem handler shows these instead of the regex). */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = Object.freeze({
  [SAFE_TEXT]: 'must not contain control characters or unpaired surrogates',
  [SAFE_NONBLANK]: 'must not be blank nor contain control characters or unpaired surrogates',
  [SAFE_MULTILINE]: 'must not contain control characters (other than tab and newline) or unpaired surrogates',
  [ID_PATTERN]: 'must be a positive whole number',
  [CLIENT_ID_PATTERN]: 'must be 1-100 letters, digits or . _ : -',
  [IDEMPOTENCY_KEY_PATTERN]: 'must be 1-200 visible ASCII characters',
  [TOKEN_NAME_PATTERN]: 'must be 1-100 letters, digits or . _ : @ - starting with a letter or digit',
  [EMAIL_PATTERN]: 'must be an e-mail address (local-part@domain, no spaces)',
  [SLUG_PATTERN]: 'must be 1-48 lower-case letters, digits or inner hyphens',
  [SEND_AT_PATTERN]: 'must be a local time HH:MM from 00:00 to 23:59',
});

/** The words for a pattern; a generic phrase for patterns without an entry. */
export const patternMessage = (pattern: string) => PATTERN_MESSAGES[pattern] ?? 'is not in the expected format';

