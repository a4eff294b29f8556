/**
 * E-mail addresses as delivery feedback keys them (issue 16): lower-cased and trimmed, the form
 * `email_addresses.address` holds and `lower(peer_mentors.email)` is compared with; masked for
 * answers that only need to say which address is meant.
 */
import { createHash } from 'node:crypto';

/** The one form an address is stored and compared in. */
export const normalizeAddress = (address: string) => address.trim().toLowerCase();

/** `kari.nordmann@example.org` -> `k***@example.org`: enough to recognise, not to harvest. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** The first 16 hex digits of the address's SHA-256: names it in a digest key without spelling it out. */
export const addressHash = (address: string) => createHash('sha256').update(normalizeAddress(address)).digest('hex').slice(0, 16);

/**
 * The outbox key of the notice that tells coordinator `coordinatorId` that `address` became
 * undeliverable at `since`: one per coordinator per undeliverable episode (a new episode after a
 * clear has a new `since`).
 */
export const undeliverableNoticeKey = (address: string, since: Date, coordinatorId: number) => `undeliverable-${addressHash(address)}-${since.getTime()}-c${coordinatorId}`;

/** The domain of every Message-ID the service sends: `<reminder key@...>` or `<digest key@...>`. */
export const MESSAGE_ID_DOMAIN = 'follow-up-reminders';

/** The key a Message-ID names (`<a12-20261101-1@follow-up-reminders>` -> `a12-20261101-1`), or null when it is not one of ours. */
export function keyOfMessageId(messageId: string | null | undefined): string | null {
  if (!messageId) return null;
  const m = /^<(.+)@follow-up-reminders>$/.exec(messageId.trim());
  return m ? m[1]! : null;
}
